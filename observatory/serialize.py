"""Columns of the observatory's CSV exports (the JSON shapes are store.serialize's, shared with the CLI)."""
from __future__ import annotations

LISTING_COLUMNS = ("id", "url", "marketplace", "marketplace_ref", "seller_sku", "offer_ref", "ean", "state", "seller", "label", "active", "account",
                   "last_checked_at")
EVENT_COLUMNS = ("id", "listing_id", "kind", "detected_at", "before", "after", "url")
