"""`vigie run`: the scheduler, the crawl, detection and alert delivery in one long-lived process.

One asyncio Twisted reactor for the life of the process; APScheduler (3.x, AsyncIOScheduler on the
reactor's loop) ticks the dispatcher, which reads the due listings from the database and feeds them
to one open crawler per marketplace (crawler.service_crawls). Jobs that block (sending email) run
in a worker thread on their own schedule. SIGTERM/SIGINT: stop dispatching, give in-flight checks
`stop_grace` seconds to land, close the crawlers, run the background jobs one last time, exit 0.

Nothing here needs a clean exit to stay correct: each check is recorded in one transaction and the
outbox claims rows with a lease, so a kill -9 loses at most checks in flight (re-done after restart,
their listings still being due) and never duplicates an email it had recorded as sent.
"""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from crawler.runner import CrawlOptions, check_crawl_settings, scrapy_settings, spider_classes
from crawler.scheduling import APART_KINDS, LISTING_KINDS, due_batch, spread_overdue
from crawler.search_limits import DEFAULT_SEARCH_BUDGET, SEARCH_ROOM, LeftDue, SearchLimits
from crawler.stored_search_budget import stored_search_limits
from crawler.politeness import politeness_settings
from spiders import registry
from store.db import one_line, session_scope, unavailable

log = logging.getLogger("vigie.service")

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


@dataclass(frozen=True)
class BackgroundJob:
    """A blocking job (email delivery...) run in a worker thread every `every` seconds."""

    name: str
    every: float
    run: Callable[[], Any]


@dataclass(frozen=True)
class ServiceConfig:
    tick: float = 5.0  # seconds between dispatches (a newly added listing waits at most this long)
    catchup_window: timedelta = timedelta(minutes=15)
    stop_grace: float = 20.0  # seconds in-flight checks get to land after SIGTERM
    hard_stop: float = 27.0  # seconds after SIGTERM when the process stops whatever is left
    queue_factor: int = 4  # requests queued per marketplace, in multiples of its concurrency
    stale_after: float = 3600.0  # an in-flight check silent this long is dispatched again
    stats_every: float = 60.0  # seconds between two "service: {...}" stats lines on the log
    search_budget: int = DEFAULT_SEARCH_BUDGET  # search pages per marketplace and UTC day; 0 = none (issue 27)


@dataclass
class Pace:
    """Scheduling lag (how late checks start) and throughput, for the log and the benchmark."""

    lags: deque = field(default_factory=lambda: deque(maxlen=20_000))
    dispatched: int = 0
    started: float = field(default_factory=time.monotonic)

    def summary(self, checks: int, in_flight: int) -> dict[str, Any]:
        lags = sorted(self.lags)
        pick = lambda q: round(lags[min(len(lags) - 1, int(q * len(lags)))], 3) if lags else None  # noqa: E731
        elapsed = time.monotonic() - self.started
        return {"uptime_s": round(elapsed, 1), "dispatched": self.dispatched, "checks": checks,
                "checks_per_s": round(checks / elapsed, 2) if elapsed else 0.0, "in_flight": in_flight,
                "lag_p50_s": pick(0.50), "lag_p99_s": pick(0.99),
                "lag_mean_s": round(statistics.fmean(lags), 3) if lags else None}


class Service:
    def __init__(self, sessions: sessionmaker[Session], recorder: Any, options: CrawlOptions,
                 config: ServiceConfig, *, obey_robots: bool = True, background: tuple[BackgroundJob, ...] = (),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.sessions = sessions
        self.recorder = recorder
        self.options = options
        self.config = config
        self.obey_robots = obey_robots
        self.background = background
        self.clock = clock
        self.pace = Pace()
        self.crawls = None
        self._stop: asyncio.Event | None = None
        self._refill_pending = False
        self._rooms: dict[str, int] = {}
        self.search_limits: SearchLimits | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def run(self) -> int:
        """Blocks until stopped by SIGTERM/SIGINT; returns the exit status."""
        from scrapy.utils.reactor import install_reactor

        install_reactor(ASYNCIO_REACTOR)
        from twisted.internet import reactor

        from crawler.netguard import PublicOnlyResolver

        # AsyncCrawlerRunner, unlike CrawlerProcess, leaves the reactor's resolver alone
        PublicOnlyResolver.from_crawler(SimpleNamespace(settings=self.scrapy_settings()), reactor).install_on_reactor()

        outcome: dict[str, int] = {"status": 0}

        def started() -> None:
            loop = asyncio.get_event_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.request_stop)
            task = loop.create_task(self.main())

            def finished(done: asyncio.Task) -> None:
                if not done.cancelled() and done.exception() is not None:
                    log.error("service: stopped on an error", exc_info=done.exception())
                    outcome["status"] = 1
                if reactor.running:
                    reactor.stop()

            task.add_done_callback(finished)

        reactor.callWhenRunning(started)
        reactor.run(installSignalHandlers=False)
        return outcome["status"]

    def request_stop(self) -> None:
        if self._stop is None or self._stop.is_set():
            return
        log.info("service: stopping (no new checks; in-flight ones get %.0f s)", self.config.stop_grace)
        self._stop.set()
        from twisted.internet import reactor

        # whatever is still running then (a hung fetch, a slow SMTP server) does not hold the exit
        asyncio.get_event_loop().call_later(self.config.hard_stop, lambda: reactor.running and reactor.stop())

    async def main(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from scrapy.crawler import AsyncCrawlerRunner

        from crawler.service_crawls import LiveCrawls

        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        spread = 0
        if self.spreads_overdue():
            with session_scope(self.sessions) as session:
                spread = spread_overdue(session, now=self.clock(), window=self.config.catchup_window)
        if spread:
            log.info("service: %d overdue listing(s) spread over the next %s", spread, self.config.catchup_window)
        classes = spider_classes()
        self._rooms = {name: max(4, cls.marketplace.concurrency * self.config.queue_factor)
                       for name, cls in classes.items()}
        self.search_limits = self.make_search_limits()
        self.crawls = LiveCrawls(AsyncCrawlerRunner(self.scrapy_settings()), classes, self.recorder,
                                 fallback=registry.GENERIC_NAME, on_landed=self._landed,
                                 room_arguments={"search": {"limits": self.search_limits}})
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        scheduler.add_job(self.dispatch, "interval", seconds=self.config.tick, id="dispatch",
                          next_run_time=datetime.now(UTC), **common)
        for job in self.background:
            scheduler.add_job(self._threaded, "interval", args=(job,), seconds=job.every, id=job.name,
                              next_run_time=datetime.now(UTC), **common)
        scheduler.add_job(self._log_stats, "interval", seconds=self.config.stats_every, id="stats", **common)
        self.started(scheduler)
        scheduler.start()
        log.info("service: running (tick %.1f s, %d background job(s))", self.config.tick, len(self.background))
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self.stopping()
            abandoned = await self.crawls.drain(self.config.stop_grace)
            if abandoned:
                log.warning("service: %d check(s) abandoned unrecorded; their listings stay due", abandoned)
            await self.crawls.close(timeout=3.0)
            for job in self.background:  # flush: emails of the last checks, outbox state
                await self._threaded(job)
            self._log_stats()

    def spreads_overdue(self) -> bool:
        """Hook: whether this start re-times the overdue listings over the catch-up window (a cluster node
        joining others must not: it would push their backlog later)."""
        return True

    def make_search_limits(self) -> SearchLimits:
        """Hook: search pages' budget, read from the day's stored walks so that it holds across restarts and
        `vigie check` passes (cluster mode shares a counter instead, and their pace)."""
        return stored_search_limits(self.sessions, self.config.search_budget, self.clock)

    def started(self, scheduler) -> None:
        """Hook: the crawls are ready, the scheduler about to start (cluster mode adds its jobs)."""

    async def stopping(self) -> None:
        """Hook: no more dispatching; in-flight checks are still landing."""

    def scrapy_settings(self):
        settings = scrapy_settings(self.options)
        settings.setdict({**politeness_settings(obey_robots=self.obey_robots), **self.options.extra},
                         priority="cmdline")
        check_crawl_settings(settings)
        return settings

    # -- jobs --------------------------------------------------------------------------------------

    async def dispatch(self) -> None:
        """Hand every due listing that has room to its marketplace's crawler."""
        self._refill_pending = False
        if self._stop is None or self._stop.is_set() or self.crawls is None:
            return
        now = self.clock()
        for listing_id in self.crawls.forget_stale(self.config.stale_after):
            log.warning("service: check of listing %s never landed; it will be dispatched again", listing_id)
        busy = self.crawls.in_flight_by_room()
        room = {name: max(0, cap - busy.get(name, 0)) for name, cap in self._rooms.items()}
        # search walks are due apart (crawler.scheduling.APART_KINDS): a few queued per marketplace, none on
        # a marketplace whose search budget is spent today, and never in the listing checks' batch or room
        searching = {key: max(0, SEARCH_ROOM - count) for key, count in busy.items()
                     if key.partition(":")[0] in APART_KINDS}
        try:
            spent = self.search_limits.spent() if self.search_limits else set()
            with session_scope(self.sessions) as session:
                batch = due_batch(session, now=now, busy=self.crawls.busy(), room=room, kinds=LISTING_KINDS,
                                  default_room=self._rooms.get(registry.GENERIC_NAME, 32))
                batch += due_batch(session, now=now, busy=self.crawls.busy(), room=searching, kinds=APART_KINDS,
                                   default_room=SEARCH_ROOM, skip=spent)
        except Exception as error:
            if not unavailable(error):
                raise
            log.error("service: database unavailable, nothing dispatched this tick (%s)", one_line(error))
            return
        for target, due_at in batch:
            if self._stop.is_set():
                return
            try:
                await self.crawls.submit(target)
            except LeftDue:  # beyond its search budget: not checked, still due (its marketplace skipped from now)
                continue
            self.pace.lags.append(max(0.0, (now - due_at).total_seconds()))
            self.pace.dispatched += 1

    def _landed(self) -> None:
        # refill as soon as a marketplace's queue runs half empty, not only at the next tick
        if self._refill_pending or self._stop is None or self._stop.is_set() or self.crawls is None:
            return
        if len(self.crawls.in_flight) * 2 <= sum(self._rooms.values()) or not self.crawls.in_flight:
            self._refill_pending = True
            asyncio.get_event_loop().call_later(0.2, lambda: asyncio.ensure_future(self.dispatch()))

    async def _threaded(self, job: BackgroundJob) -> None:
        try:
            await asyncio.to_thread(job.run)
        except Exception as error:
            if unavailable(error):
                log.error("service: background job %s: database unavailable (%s); it runs again on schedule",
                          job.name, one_line(error))
                return
            log.exception("service: background job %s failed; it runs again on schedule", job.name)

    def _log_stats(self) -> None:
        if self.crawls is None:
            return
        data = self.pace.summary(self.crawls.stats.checks, len(self.crawls.in_flight))
        data.update(outcomes=dict(self.crawls.stats.outcomes), events=dict(self.crawls.stats.events),
                    failures=self.crawls.stats.failures)
        log.info("service: %s", json.dumps(data, sort_keys=True))
