"""The hash chain over a listing's snapshots: each one seals the one before it.

chain_hash = sha256(previous chain_hash + canonical JSON of this snapshot), where the
canonical JSON has sorted keys, no spaces, money as strings and times as ISO 8601 UTC.
`vigie verify-evidence` recomputes it offline from the same payload.

Fields added later (OPTIONAL_FIELDS: the capture context of issue 29) enter the payload only when the
snapshot has them: a snapshot recorded before they existed has None there and its payload, hence its
chain hash, is exactly what was sealed then; a new snapshot seals them like any other field.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

# The snapshot fields the chain covers, in the bundle's JSON too.
CHAINED_FIELDS = (
    "listing_id", "seq", "fetched_at", "requested_url", "final_url", "http_status", "fetch_method",
    "elapsed_ms", "headers", "outcome", "price", "currency", "shipping_fee", "seller", "title",
    "availability", "offers", "reasons", "body_sha256", "screenshot_sha256", "prev_hash",
)
# Chained when set, absent from the payload when None (older snapshots never had them).
OPTIONAL_FIELDS = ("capture",)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def payload(snapshot: Any) -> dict[str, Any]:
    """The chained fields of a Snapshot row (or any object/dict carrying them)."""
    get = snapshot.get if isinstance(snapshot, dict) else lambda name: getattr(snapshot, name)
    data = {name: _plain(get(name)) for name in CHAINED_FIELDS}
    for name in OPTIONAL_FIELDS:
        value = snapshot.get(name) if isinstance(snapshot, dict) else getattr(snapshot, name, None)
        if value is not None:
            data[name] = value
    return data


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def link(prev_hash: str | None, data: dict[str, Any]) -> str:
    return hashlib.sha256(((prev_hash or "") + canonical_json(data)).encode()).hexdigest()
