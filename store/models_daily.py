"""Per-day counts of checks and events, by account and marketplace (issue 24).

Maintained as checks are recorded, in the recording's own transaction (store.daily_counts), so the
observatory's dashboard reads a few hundred rows a week instead of counting millions of snapshots.
A row says what happened that UTC day: the checks made and their outcomes, the events found. Retention
never changes it: it prunes page bodies, never checks or events, so the counts stay those of the checks
that happened (see store.retention).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base

# DESIGN.md's outcomes and event kinds, a column each (tests/store keeps them equal to the detector's);
# another outcome or kind (a future target's) still counts in `checks` / `events`
OUTCOMES = ("listed", "unavailable", "offer_gone", "gone", "blocked", "error")
EVENT_KINDS = ("delisted", "offer_gone", "unavailable", "restored", "price_change", "shipping_fee_change",
               "seller_change", "fee_schedule_change", "monitoring_blocked",
               "shop_offer_missing", "shop_offer_new", "shop_gone",  # these three: migration 0011
               "search_dropped", "not_indexed")  # these two: migration 0014


def _count() -> Mapped[int]:
    return mapped_column(default=0, server_default="0")


class MarketplaceDay(Base):
    __tablename__ = "marketplace_days"
    # day first: the dashboard reads a range of days, for every account or for one
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(40), primary_key=True)
    checks: Mapped[int] = _count()
    outcome_listed: Mapped[int] = _count()
    outcome_unavailable: Mapped[int] = _count()
    outcome_offer_gone: Mapped[int] = _count()
    outcome_gone: Mapped[int] = _count()
    outcome_blocked: Mapped[int] = _count()
    outcome_error: Mapped[int] = _count()
    events: Mapped[int] = _count()
    event_delisted: Mapped[int] = _count()
    event_offer_gone: Mapped[int] = _count()
    event_unavailable: Mapped[int] = _count()
    event_restored: Mapped[int] = _count()
    event_price_change: Mapped[int] = _count()
    event_shipping_fee_change: Mapped[int] = _count()
    event_seller_change: Mapped[int] = _count()
    event_fee_schedule_change: Mapped[int] = _count()
    event_monitoring_blocked: Mapped[int] = _count()
    event_shop_offer_missing: Mapped[int] = _count()
    event_shop_offer_new: Mapped[int] = _count()
    event_shop_gone: Mapped[int] = _count()
    event_search_dropped: Mapped[int] = _count()
    event_not_indexed: Mapped[int] = _count()


def outcome_column(outcome: str) -> str | None:
    return f"outcome_{outcome}" if outcome in OUTCOMES else None


def event_column(kind: str) -> str | None:
    return f"event_{kind}" if kind in EVENT_KINDS else None


COUNTS = tuple(c.key for c in MarketplaceDay.__table__.columns if not c.primary_key)
