"""JSON shapes of stored rows: the CLI's --json output, the observatory's API and its exports."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from store.models import Event, Listing, Snapshot


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def listing_json(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id,
        "url": listing.canonical_url,
        "registered_url": listing.url,
        "marketplace": listing.marketplace,
        "marketplace_ref": listing.marketplace_ref,
        "seller_sku": listing.seller_sku,
        "offer_ref": listing.offer_ref,
        "ean": listing.ean,
        "state": listing.state,
        "seller": listing.seller,
        "label": listing.label,
        "kind": listing.kind,
        "every_seconds": listing.every_seconds,
        "browser": listing.browser,
        "active": listing.active,
        "emails": [r.email for r in listing.recipients],
        "account": listing.account.name,
        "next_check_at": listing.next_check_at.isoformat(),
        "last_checked_at": listing.last_checked_at.isoformat() if listing.last_checked_at else None,
    }


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "listing_id": event.listing_id,
        "kind": event.kind,
        "detected_at": event.detected_at.isoformat(),
        "before": event.before,
        "after": event.after,
        "details": event.details,
        "snapshot_id": event.snapshot_id,
        "url": event.listing.canonical_url,
    }


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "seq": snapshot.seq,
        "fetched_at": snapshot.fetched_at.isoformat(),
        "outcome": snapshot.outcome,
        "price": money(snapshot.price),
        "currency": snapshot.currency,
        "shipping_fee": money(snapshot.shipping_fee),
        "seller": snapshot.seller,
        "title": snapshot.title,
        "availability": snapshot.availability,
        "http_status": snapshot.http_status,
        "requested_url": snapshot.requested_url,
        "final_url": snapshot.final_url,
        "fetch_method": snapshot.fetch_method,
        "elapsed_ms": snapshot.elapsed_ms,
        "reasons": snapshot.reasons,
        "offers": snapshot.offers,
        "body_sha256": snapshot.body_sha256,
        "screenshot_sha256": snapshot.screenshot_sha256,
        "prev_hash": snapshot.prev_hash,
        "chain_hash": snapshot.chain_hash,
    }
