"""The search budget of a single process read from the database (issue 27): it holds across restarts of
`vigie run` and across the `vigie check` passes a cron job starts every few minutes.

The pages a marketplace's searches fetched today are already stored: each walk's `search_checks` row has its
`pages` and its `checked_at` (its last page's time), and the watch's marketplace. So "spent today" is their sum
over the UTC day, plus the pages reserved by the walks in flight in this process and not stored yet. One
aggregate query at each walk's `take`, over the index on `search_checks.checked_at` (migration 0016).

Two processes racing (a `vigie check` started while another still runs) each see the other's walks only once
stored: each may overrun the day's budget by at most the pages of the walks it has in flight (one walk's pages,
a marketplace's searches going one page at a time). A budget is politeness, not evidence: that is acceptable,
and a lock across processes would cost more than it saves. A cluster shares a Redis counter instead
(cluster.search_limits).
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.search_limits import SearchLimits, spent_line
from store.db import session_scope
from store.models_search import SearchCheck, SearchWatch

log = logging.getLogger("vigie.search")


def pages_walked(session: Session, marketplace: str, day: date) -> int:
    """Search pages of the walks stored for `marketplace` on the UTC `day`."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return session.scalar(
        select(func.coalesce(func.sum(SearchCheck.pages), 0))
        .join(SearchWatch, SearchWatch.listing_id == SearchCheck.watch_id)
        .where(SearchCheck.checked_at >= start, SearchCheck.checked_at < start + timedelta(days=1),
               SearchWatch.marketplace == marketplace)) or 0


class StoredSearchBudget:
    """Budget (crawler.search_limits): the day's stored walks plus this process's walks not stored yet.

    A walk's pages are held from its `take` until its row is stored (`give_back` of the pages it did not read
    at its end, then of those it read once stored: SearchLimits.counted_when_stored), so no page is counted
    twice nor, between its walk's end and its row, not at all."""

    def __init__(self, sessions: sessionmaker[Session], pages_a_day: int):
        self.sessions = sessions
        self.limit = pages_a_day
        self._held: dict[tuple[date, str], int] = {}
        self._spent: set[tuple[date, str]] = set()

    def take(self, marketplace: str, pages: int, *, day: date) -> bool:
        if self.limit <= 0:
            return True
        self._forget_before(day)
        held = self._held.get((day, marketplace), 0)
        fits = held + pages <= self.limit  # no query when this process alone fills the day
        if fits:
            with session_scope(self.sessions) as session:
                fits = pages_walked(session, marketplace, day) + held + pages <= self.limit
        if not fits:
            if (day, marketplace) not in self._spent:
                self._spent.add((day, marketplace))
                log.warning(spent_line(marketplace, self.limit, day))
            return False
        self._held[(day, marketplace)] = held + pages
        return True

    def give_back(self, marketplace: str, pages: int, *, day: date) -> None:
        if (day, marketplace) in self._held:
            self._held[(day, marketplace)] = max(0, self._held[(day, marketplace)] - pages)

    def spent(self, *, day: date) -> set[str]:
        """Marketplaces whose searches wait for the next day: a walk did not fit in this day's budget."""
        return {marketplace for seen, marketplace in self._spent if seen == day}

    def _forget_before(self, day: date) -> None:
        for key in [key for key in self._held if key[0] < day]:
            del self._held[key]
        self._spent = {key for key in self._spent if key[0] >= day}


def stored_search_limits(sessions: sessionmaker[Session], pages_a_day: int,
                         clock: Callable[[], datetime]) -> SearchLimits:
    """The search limits of `vigie run` in one process and of `vigie check`: the budget read from the database."""
    return SearchLimits(StoredSearchBudget(sessions, pages_a_day), clock=clock, counted_when_stored=True)
