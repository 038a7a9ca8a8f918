"""One long-lived Scrapy crawler per marketplace, fed check targets as they fall due.

Each marketplace's spider is opened once, kept open while idle, and given requests one by one
(`engine.crawl`), so its politeness (concurrency, delay, AutoThrottle, back-off), its connections
and the browser stay warm for the life of the service. Results are recorded by the usual
RecordPipeline (one transaction each); this module only tracks what is in flight.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.exceptions import DontCloseSpider

from crawler.listing_spider import ListingSpider
from crawler.recorder import SUPERSEDED, Recorded
from crawler.scheduling import room_key
from crawler.targets import CheckResult, CheckTarget

log = logging.getLogger(__name__)


@dataclass
class Flight:
    target: CheckTarget
    started: float  # time.monotonic()


@dataclass
class ServiceStats:
    checks: int = 0
    outcomes: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    failures: int = 0  # results that could not be recorded


class _Sink:
    """Stands where a one-shot pass keeps its PassReport: told of every recorded result."""

    def __init__(self, crawls: LiveCrawls):
        self.crawls = crawls

    def add(self, result: CheckResult, recorded: Recorded) -> None:
        self.crawls._landed(result.target.listing_id, recorded=recorded)

    def failed(self, result: CheckResult) -> None:
        log.error("service: recording listing %s failed", result.target.listing_id)
        self.crawls.stats.failures += 1
        self.crawls._landed(result.target.listing_id, recorded=None)


class LiveCrawls:
    def __init__(self, runner: AsyncCrawlerRunner, classes: dict[str, type[ListingSpider]], recorder: Any,
                 *, fallback: str, on_landed: Callable[[], None] | None = None,
                 room_arguments: dict[str, dict[str, Any]] | None = None):
        self.runner = runner
        self.room_arguments = room_arguments or {}  # kind -> more arguments of its spiders (the search limits)
        self.classes = classes
        self.recorder = recorder
        self.fallback = fallback
        self.on_landed = on_landed  # told each time a check lands, to refill the queues
        self.crawlers: dict[str, Crawler] = {}
        self.in_flight: dict[int, Flight] = {}
        self.stats = ServiceStats()
        self.closing = False
        self._sink = _Sink(self)
        self._tasks: list[asyncio.Task] = []
        self._opened: dict[str, asyncio.Future] = {}
        # told of each crawler created and the kind it checks (cluster mode: whose push-backs pause what)
        self.on_crawler: Callable[[Crawler, str], None] | None = None
        self._waiters: dict[int, asyncio.Future] = {}  # cluster mode: the node's queue worker awaits each check

    def busy(self) -> set[int]:
        return set(self.in_flight)

    def in_flight_by_room(self) -> Counter[str]:
        return Counter(room_key(flight.target.kind, flight.target.marketplace)
                       for flight in self.in_flight.values())

    async def submit(self, target: CheckTarget) -> None:
        key = f"{target.kind}:{target.marketplace}" if target.kind in SERVICE_ROOMS else target.marketplace
        crawler = self.crawlers.get(key) or await self._open(key, target)
        if not self._opened[key].done():  # opened by a check submitted a moment ago, not open yet
            await asyncio.shield(self._opened[key])
        spider: ListingSpider = crawler.spider  # type: ignore[assignment]
        # as a one-shot pass does: browser-built marketplaces and --browser listings go to the browser first
        browser = spider.browser_first(target) and spider.browser_request_for(target)
        request = browser or spider.request_for(target)  # LeftDue: the room will not check it now; it stays due
        self.in_flight[target.listing_id] = Flight(target, time.monotonic())
        crawler.engine.crawl(request)  # type: ignore[union-attr]

    async def check(self, target: CheckTarget) -> Recorded | None:
        """Submits one check and waits for it to land: what was recorded, None when recording failed."""
        if target.listing_id in self.in_flight:
            raise RuntimeError(f"listing {target.listing_id} is already being checked here")
        landed = asyncio.get_running_loop().create_future()
        self._waiters[target.listing_id] = landed
        try:
            await self.submit(target)
            return await landed
        finally:
            self._waiters.pop(target.listing_id, None)

    async def _open(self, key: str, target: CheckTarget) -> Crawler:
        room = SERVICE_ROOMS.get(target.kind)
        if room is not None:  # fee pages, storefronts, searches: a crawler of their own per marketplace
            spider_class, extra = room(self.recorder)
            crawler = self.runner.create_crawler(spider_class)
            extra = {"marketplace_name": target.marketplace, **extra, **self.room_arguments.get(target.kind, {})}
        else:
            crawler = self.runner.create_crawler(self.classes.get(key) or self.classes[self.fallback])
            extra = {}
        opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self._opened[key] = opened
        if self.on_crawler is not None:
            self.on_crawler(crawler, target.kind if room is not None else "listing")

        def spider_opened(spider):
            if not opened.done():
                opened.set_result(spider)

        crawler.signals.connect(spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self._keep_open, signal=signals.spider_idle)
        crawler.signals.connect(self._item_failed, signal=signals.item_error)
        self.crawlers[key] = crawler
        self._tasks.append(self.runner.crawl(crawler, **{"targets": [], "recorder": self.recorder, "report": self._sink,
                                                         **extra}))
        await opened
        return crawler

    def _keep_open(self, spider) -> None:
        if not self.closing:
            raise DontCloseSpider("the service feeds this spider as listings fall due")

    def _item_failed(self, item, response, spider, failure) -> None:
        if isinstance(item, CheckResult):
            log.error("service: recording listing %s failed: %s", item.target.listing_id, failure.getErrorMessage())
            self.stats.failures += 1
            self._landed(item.target.listing_id, recorded=None)

    def _landed(self, listing_id: int, *, recorded: Recorded | None) -> None:
        self.in_flight.pop(listing_id, None)
        waiter = self._waiters.get(listing_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(recorded)
        if recorded is not None and recorded.outcome != SUPERSEDED:
            self.stats.checks += 1
            self.stats.outcomes[recorded.outcome] += 1
            self.stats.events.update(recorded.events)
        if self.on_landed is not None:
            self.on_landed()

    def forget_stale(self, older_than: float) -> list[int]:
        """Drop in-flight entries older than `older_than` seconds (a request lost somewhere in Scrapy),
        so their listings are dispatched again; returns their ids."""
        limit = time.monotonic() - older_than
        stale = [listing_id for listing_id, flight in self.in_flight.items() if flight.started < limit]
        for listing_id in stale:
            self.in_flight.pop(listing_id, None)
            waiter = self._waiters.get(listing_id)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        return stale

    async def drain(self, grace: float) -> int:
        """Wait up to `grace` seconds for in-flight checks to land; returns how many were abandoned."""
        deadline = time.monotonic() + grace
        while self.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return len(self.in_flight)

    async def close(self, timeout: float) -> None:
        """Stop every crawler; requests still queued are dropped (nothing of theirs was written)."""
        self.closing = True
        if not self.crawlers:
            return
        try:
            await asyncio.wait_for(self.runner.stop(), timeout)
        except asyncio.TimeoutError:
            log.warning("service: crawlers did not stop within %.0f s", timeout)


# -- the kinds of target with spiders of their own: kind -> (recorder -> (spider class, its extra arguments)) --
def _fee_room(recorder):
    from spiders.fees import FeeScheduleSpider

    return FeeScheduleSpider, {}


def _shop_room(recorder):  # a storefront walk: its own spider and recorder (issue 26)
    from crawler.shop_recorder import ShopRecorder
    from crawler.shop_spider import ShopSpider

    return ShopSpider, {"recorder": ShopRecorder(recorder)}


def _search_room(recorder):  # a search walk: its own spider, pace and recorder (issue 27)
    from crawler.search_recorder import SearchRecorder
    from crawler.search_spider import SearchSpider

    return SearchSpider, {"recorder": SearchRecorder(recorder)}


SERVICE_ROOMS = {"fees": _fee_room, "shop": _shop_room, "search": _search_room}
