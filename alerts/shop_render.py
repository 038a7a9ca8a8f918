"""The facts of a storefront event in the reader's language: the offer's price, and dates (the P2B notice
date of a closed shop) formatted with Babel."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alerts.render import format_value


def shop_facts(details: dict[str, str], locale, *, zone: str) -> dict[str, Any]:
    from babel.dates import format_date

    def day(raw: str | None) -> str | None:
        if not raw:
            return None
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        if when.tzinfo is not None:
            when = when.astimezone(ZoneInfo(zone))
        return format_date(when.date() if isinstance(when, datetime) else when, "long", locale=locale)

    currency = (details.get("currency") or "").strip().upper() or None
    return {
        "offer": {"id": details.get("offer_id"), "title": details.get("title") or details.get("offer_id"),
                  "url": details.get("url") or None, "price": format_value(details.get("price"), currency, locale),
                  "listing_id": details.get("listing_id")},
        "hidden": details.get("hidden") == "true",
        "walks_missing": details.get("walks_missing"),
        "last_seen": day(details.get("last_seen")),
        "gone_since": day(details.get("gone_since")),
        "notice_due_by": day(details.get("notice_due_by")),
        "notice_days": details.get("notice_days"),
        "emptied": details.get("rule") == "emptied",
    }


