"""Search pages' own limits (issue 27): a daily budget of pages per marketplace, and in cluster mode a pace
shared by every node, both apart from the listing checks' so a seller's keywords never take their turns.

A walk reserves its K pages from the day's budget before its first page (and gives back those it did not
need once it ends): a walk that would not fit is not started at all, never cut into an incomplete walk. It
is left due, as if it had not been dispatched: no fetch, no stored walk, no event, nothing failed; the
marketplace's searches wait for the next UTC day, which is said once a day in the log.

Single process (`vigie run` and `vigie check`): the budget is read from the stored walks of the day
(crawler.stored_search_budget), so it holds across restarts and passes, and the pace is the search crawler's own
download delay. LocalSearchBudget counts in memory only (tests, tools). Cluster mode: the budget is a Redis counter per marketplace and day (cluster.search_limits),
the pace a shared turn per search page (SearchTurnMiddleware below).
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Callable, Protocol

from scrapy.exceptions import IgnoreRequest

from crawler.targets import CheckTarget

log = logging.getLogger("vigie.search")

DEFAULT_SEARCH_BUDGET = 2000  # search pages per marketplace and UTC day (VIGIE_SEARCH_BUDGET; 0 = no budget)
SEARCH_ROOM = 2  # search walks queued per marketplace (and node): each holds its pages of the budget


class LeftDue(Exception):
    """A target its room will not check now (a search walk beyond the day's budget): it stays due, untouched."""


def utc_day(now: datetime) -> date:
    return now.astimezone(UTC).date()


def spent_line(marketplace: str, limit: int, day: date) -> str:
    return (f"search: the budget of {limit} search pages on {marketplace} for {day.isoformat()} (UTC) is spent; "
            f"its search watches stay due until the next day, listing checks go on")


class Budget(Protocol):
    def take(self, marketplace: str, pages: int, *, day: date) -> bool: ...

    def give_back(self, marketplace: str, pages: int, *, day: date) -> None: ...

    def spent(self, *, day: date) -> set[str]: ...


class LocalSearchBudget:
    """One process's budget: pages taken per marketplace on the day, in memory (lost on restart, as a day's
    pace would be: a restart is rare, and a budget is politeness, not evidence)."""

    def __init__(self, pages_a_day: int):
        self.limit = pages_a_day
        self._used: dict[tuple[date, str], int] = {}
        self._spent: set[tuple[date, str]] = set()

    def take(self, marketplace: str, pages: int, *, day: date) -> bool:
        if self.limit <= 0:
            return True
        self._forget_before(day)
        used = self._used.get((day, marketplace), 0)
        if used + pages > self.limit:
            if (day, marketplace) not in self._spent:
                self._spent.add((day, marketplace))
                log.warning(spent_line(marketplace, self.limit, day))
            return False
        self._used[(day, marketplace)] = used + pages
        return True

    def give_back(self, marketplace: str, pages: int, *, day: date) -> None:
        if (day, marketplace) in self._used:
            self._used[(day, marketplace)] = max(0, self._used[(day, marketplace)] - pages)

    def spent(self, *, day: date) -> set[str]:
        """Marketplaces whose searches wait for the next day: a walk did not fit in this day's budget."""
        return {marketplace for seen, marketplace in self._spent if seen == day}

    def _forget_before(self, day: date) -> None:
        for key in [key for key in self._used if key[0] < day]:
            del self._used[key]
        self._spent = {key for key in self._spent if key[0] >= day}


@dataclass
class SearchLimits:
    """What a search crawler is given by the service: the budget, the service's clock (its UTC day) and, in
    cluster mode, the shared turns of search pages (cluster.politeness.SharedPoliteness in its own namespace)."""

    budget: Budget
    clock: Callable[[], datetime]
    turns: Any = None
    page_wait: float = 30.0  # a following page whose turn is further off (a push-back pause) fails: no answer
    # the budget counts stored walks (StoredSearchBudget): the pages a walk read are held until its row is stored
    counted_when_stored: bool = False
    _held: dict[int, tuple[str, date, int]] = field(default_factory=dict)

    def reserve(self, target: CheckTarget, pages: int) -> None:
        """Takes the walk's pages from its marketplace's budget; LeftDue when they do not fit today."""
        day = utc_day(self.clock())
        if not self.budget.take(target.marketplace, pages, day=day):
            raise LeftDue(f"search watch {target.listing_id}: {target.marketplace}'s search budget is spent today")
        self._held[target.listing_id] = (target.marketplace, day, pages)

    def settle(self, target: CheckTarget, pages_read: int) -> None:
        """The walk ended: the pages it reserved and did not fetch go back to the budget."""
        held = self._held.pop(target.listing_id, None)
        if held is None:
            return
        marketplace, day, pages = held
        if pages > pages_read:
            self.budget.give_back(marketplace, pages - pages_read, day=day)
        if self.counted_when_stored:
            self._held[target.listing_id] = (marketplace, day, min(pages, pages_read))

    def stored(self, target: CheckTarget) -> None:
        """The walk went through the pipeline (its row stored, or not storable): a budget counting stored walks
        now finds its pages in the database, and stops holding them."""
        if not self.counted_when_stored:
            return
        held = self._held.pop(target.listing_id, None)
        if held is not None:
            marketplace, day, pages = held
            self.budget.give_back(marketplace, pages, day=day)

    def spent(self) -> set[str]:
        return self.budget.spent(day=utc_day(self.clock()))


class SearchTurnMiddleware:
    """Cluster mode: each search page waits for a turn of its marketplace's shared search pace, just before it
    goes out (the node starts a walk only when a turn is near, else puts it back in the queue: cluster.node).
    A turn further off than `page_wait` (the marketplace's searches paused by a push-back meanwhile) fails the
    page: the walk is incomplete, no answer, never an absence.

    The turn is then the page's only pace: each page goes out through a download slot of its own, sent at
    once. Scrapy picks the slot after the middlewares, and a shared slot's own delay would send a page later
    than its turn, close to the next node's: turns 1/rate apart would not stay so on the wire."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._slots = itertools.count()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Any) -> None:
        spider = self.crawler.spider
        limits: SearchLimits | None = getattr(spider, "limits", None)
        if limits is None or limits.turns is None or "walk" not in request.meta:
            return None
        marketplace = spider.marketplace.name
        request.meta["download_slot"] = f"search-turn:{marketplace}:{next(self._slots)}"  # idle ones go in 60 s
        reserved, wait = await asyncio.to_thread(limits.turns.take_turn, marketplace, within=limits.page_wait)
        if reserved and wait > 0:
            await asyncio.sleep(wait)
            wait = await asyncio.to_thread(limits.turns.paused, marketplace)  # a push-back since holds it too
        if not reserved or wait > 0:
            self.crawler.stats.inc_value("vigie/search/turn_refused")
            raise IgnoreRequest(f"searches on {marketplace} are paused for {wait:.0f} s (a push-back): page not read")
        return None
