"""A storefront's membership over time: which offers it showed on which day, from its complete walks.

Each day shows the last complete walk of that day (Paris time); a day without one is unknown, never
"absent". Read from shop_passes in one query over the window asked for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models_shops import ShopPass

PARIS = ZoneInfo("Europe/Paris")
MAX_DAYS = 90
MAX_OFFERS = 1000  # rows shown; a storefront larger than that is listed in the API's walks instead


@dataclass(frozen=True)
class OfferRow:
    id: str
    title: str | None
    url: str | None
    present: tuple[bool | None, ...]  # one per day: True shown, False absent, None no complete walk that day


@dataclass(frozen=True)
class Membership:
    days: tuple[date, ...]
    offers: tuple[OfferRow, ...]
    walks: int  # complete walks in the window
    incomplete: int  # walks that did not count, with their reasons in the API
    truncated: bool


def membership(session: Session, shop_id: int, *, now: datetime, days: int = 14) -> Membership:
    days = max(1, min(days, MAX_DAYS))
    today = now.astimezone(PARIS).date()
    window = tuple(today - timedelta(days=n) for n in range(days - 1, -1, -1))
    since = datetime.combine(window[0], datetime.min.time(), PARIS)
    rows = session.execute(select(ShopPass.finished_at, ShopPass.complete, ShopPass.offers)
                           .where(ShopPass.shop_id == shop_id, ShopPass.finished_at >= since)
                           .order_by(ShopPass.seq)).all()
    by_day: dict[date, list[dict[str, Any]]] = {}
    incomplete = 0
    for finished_at, complete, offers in rows:
        if not complete:
            incomplete += 1
            continue
        by_day[finished_at.astimezone(PARIS).date()] = offers  # the day's last complete walk wins
    seen: dict[str, dict[str, Any]] = {}
    for day in window:
        for offer in by_day.get(day, ()):
            seen.setdefault(offer["id"], offer)
    ids = {day: {o["id"] for o in by_day[day]} for day in by_day}
    offers = tuple(OfferRow(offer_id, offer.get("title"), offer.get("url"),
                            tuple((offer_id in ids[day]) if day in ids else None for day in window))
                   for offer_id, offer in list(seen.items())[:MAX_OFFERS])
    return Membership(window, offers, walks=len(rows) - incomplete, incomplete=incomplete,
                      truncated=len(seen) > MAX_OFFERS)
