"""Keeping `marketplace_days` (store.models_daily) as checks are recorded.

A `Tally` gathers a transaction's checks and events in memory, then `save` adds them to their days' rows in
one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike), in the caller's transaction: the counts move
with the snapshots and events they describe, or not at all. Rows go in key order, so two recorders adding to the
same days lock them in the same order and never deadlock; the upsert is the batch's last statement, so the
day's row is held only until the commit that follows.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import Listing
from store.models_daily import COUNTS, MarketplaceDay, event_column, outcome_column

Key = tuple[date, int, str]  # (UTC day, account id, marketplace)


class Tally:
    def __init__(self) -> None:
        self.days: defaultdict[Key, Counter[str]] = defaultdict(Counter)

    def check(self, at: datetime, account_id: int, marketplace: str, outcome: str) -> None:
        counts = self.days[(_day(at), account_id, marketplace)]
        counts["checks"] += 1
        if column := outcome_column(outcome):
            counts[column] += 1

    def event(self, at: datetime, account_id: int, marketplace: str, kind: str) -> None:
        counts = self.days[(_day(at), account_id, marketplace)]
        counts["events"] += 1
        if column := event_column(kind):
            counts[column] += 1

    def save(self, session: Session) -> None:
        if not self.days:
            return
        rows = [{"day": day, "account_id": account, "marketplace": marketplace,
                 **{name: counts[name] for name in COUNTS}}
                for (day, account, marketplace), counts in sorted(self.days.items())]
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(MarketplaceDay)
        table = MarketplaceDay.__table__
        session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.day, table.c.account_id, table.c.marketplace],
            set_={name: table.c[name] + statement.excluded[name] for name in COUNTS}), rows)
        self.days.clear()


def count_for_listing(session: Session, listing_id: int, *, checks: Iterable[tuple[datetime, str]] = (),
                      events: Iterable[tuple[datetime, str]] = ()) -> None:
    """Adds one listing's checks ((fetched_at, outcome)) and events ((detected_at, kind)) to their days: for
    callers that record without a Recorder (store.snapshots.append, tests' seeds)."""
    account_id, marketplace = session.execute(
        select(Listing.account_id, Listing.marketplace).where(Listing.id == listing_id)).one()
    tally = Tally()
    for at, outcome in checks:
        tally.check(at, account_id, marketplace, outcome)
    for at, kind in events:
        tally.event(at, account_id, marketplace, kind)
    tally.save(session)


def _day(at: datetime) -> date:
    return at.astimezone(UTC).date()
