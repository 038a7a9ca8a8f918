"""The operator's view, per marketplace: what is watched, how late the checks are, how they go."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from store.models import AlertDelivery, Event, Listing, Snapshot


@dataclass(frozen=True)
class MarketplaceStatus:
    marketplace: str
    listings: int
    last_check_at: datetime | None
    overdue_seconds: float  # how late the most overdue active listing is (0: none is late)
    checks_last_hour: int
    blocked_rate: float  # share of the last hour's checks answered by a bot wall
    error_rate: float
    pending_alerts: int

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_check_at"] = self.last_check_at.isoformat() if self.last_check_at else None
        data["overdue_seconds"] = round(self.overdue_seconds, 1)
        data["blocked_rate"] = round(self.blocked_rate, 4)
        data["error_rate"] = round(self.error_rate, 4)
        return data


def recent_checks(*, since: datetime) -> Select:
    """Per marketplace: checks, blocked and errors since `since` (read through ix_snapshots_fetched_at)."""
    return (select(Listing.marketplace, func.count().label("checks"),
                   func.sum(case((Snapshot.outcome == "blocked", 1), else_=0)).label("blocked"),
                   func.sum(case((Snapshot.outcome == "error", 1), else_=0)).label("errors"))
            .join(Listing, Listing.id == Snapshot.listing_id)
            .where(Snapshot.fetched_at >= since).group_by(Listing.marketplace))


def marketplace_status(session: Session, *, now: datetime, window: timedelta = timedelta(hours=1)
                       ) -> list[MarketplaceStatus]:
    watched = {row.marketplace: row for row in session.execute(
        select(Listing.marketplace, func.count().label("listings"), func.max(Listing.last_checked_at).label("last"),
               func.min(Listing.next_check_at).label("next_due"))
        .where(Listing.active.is_(True)).group_by(Listing.marketplace))}
    recent = {row.marketplace: row for row in session.execute(recent_checks(since=now - window))}
    pending = dict(session.execute(
        select(Listing.marketplace, func.count())
        .select_from(AlertDelivery).join(Event, Event.id == AlertDelivery.event_id)
        .join(Listing, Listing.id == Event.listing_id)
        .where(AlertDelivery.status == "pending").group_by(Listing.marketplace)).all())
    rows = []
    for name in sorted(set(watched) | set(recent) | set(pending)):
        w, r = watched.get(name), recent.get(name)
        checks = r.checks if r else 0
        next_due = w.next_due if w else None
        rows.append(MarketplaceStatus(
            marketplace=name,
            listings=w.listings if w else 0,
            last_check_at=w.last if w else None,
            overdue_seconds=max(0.0, (now - next_due).total_seconds()) if next_due else 0.0,
            checks_last_hour=checks,
            blocked_rate=(r.blocked or 0) / checks if checks else 0.0,
            error_rate=(r.errors or 0) / checks if checks else 0.0,
            pending_alerts=pending.get(name, 0),
        ))
    return rows
