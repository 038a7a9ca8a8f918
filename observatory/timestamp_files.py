"""A listing's RFC 3161 stamps as bundle files: `timestamps.json` (leaf, Merkle path, root, time, authority),
the authority's replies `timestamps/<batch>.tsr` (DER, readable by `openssl ts -reply -in X -text`) and
`tsa-certs.pem`: the certificates to check them against, when the operator gave them (VIGIE_TSA_CERTS)."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from store.timestamps import stamps_for

STAMPS = "timestamps.json"
CERTS = "tsa-certs.pem"


def timestamp_files(session: Session, listing_id: int, *, tsa_certs: bytes | None) -> dict[str, bytes]:
    stamps = stamps_for(session, listing_id)
    files: dict[str, bytes] = {}
    listed: list[dict[str, Any]] = []
    for stamp in stamps:
        name = f"timestamps/{stamp['batch']}.tsr"
        files[name] = stamp["response"]
        listed.append({**{k: v for k, v in stamp.items() if k != "response"}, "response": name})
    files[STAMPS] = (json.dumps(listed, indent=2, sort_keys=True) + "\n").encode()
    if tsa_certs:
        files[CERTS] = tsa_certs
    return files
