"""`vigie run` as one node of a cluster: dispatch claims due slots into the queue, the node's queue
worker takes checks from it and runs them on the node's open crawlers (crawler.service_crawls).

Dramatiq's worker threads block on each check until it is recorded, so a check is acknowledged only
once stored: a node killed at any moment leaves its checks unacknowledged, and the engine hands them
to another node once the node's heartbeat is `node_timeout` old.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cluster import claims, engine, nodes
from cluster.politeness import SharedPoliteness
from cluster.search_limits import SharedSearchBudget, search_turns
from crawler.politeness import pushed_back_signal
from crawler.recorder import SUPERSEDED
from crawler.scheduling import APART_KINDS
from crawler.search_limits import SEARCH_ROOM, LeftDue, SearchLimits
from crawler.targets import CheckTarget
from crawler.service import Service
from spiders import registry
from store.db import one_line, session_scope, unavailable

log = logging.getLogger("vigie.cluster")


@dataclass(frozen=True)
class ClusterConfig:
    queue_url: str
    lease: timedelta = timedelta(minutes=10)  # VIGIE_LEASE: a dispatched check not recorded by then is due again
    node_timeout: float = 60.0  # VIGIE_NODE_TIMEOUT: a node silent this long is dead; its checks go to others
    threads: int = 64  # checks one node runs at once (each waits for its record batch: VIGIE_RECORD_DELAY)
    rates: tuple[tuple[str, float], ...] = ()  # requests per second per marketplace, for the whole cluster
    max_wait: float = 2.0  # a check whose turn is further ahead goes back to the queue, delayed
    search_rate: float = 0.2  # VIGIE_SEARCH_RATE: search pages per second per marketplace, for the whole cluster


class CheckNotRecorded(Exception):
    """Raised to the engine so it retries: the check ran but its result could not be stored."""


class ClusterService(Service):
    def __init__(self, *args, cluster: ClusterConfig, **kwargs):
        super().__init__(*args, **kwargs)
        self.cluster = cluster
        self.node = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.broker = engine.make_broker(cluster.queue_url, node_timeout=cluster.node_timeout,
                                         check_timeout=self.options.timeout * 3)
        self.actor = engine.declare_check(self.broker, self._check)
        self.polite = SharedPoliteness(self.broker.client, dict(cluster.rates))
        self.search_polite = search_turns(self.broker.client, cluster.search_rate)  # turns and pauses of their own
        self.worker = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.done: deque[float] = deque(maxlen=100_000)  # monotonic times of checks recorded here
        self.started_at = datetime.now(UTC)

    # -- lifecycle hooks ------------------------------------------------------------------------------
    def make_search_limits(self) -> SearchLimits:
        return SearchLimits(SharedSearchBudget(self.broker.client, self.config.search_budget), clock=self.clock,
                            turns=self.search_polite, page_wait=self.options.timeout)

    def spreads_overdue(self) -> bool:
        try:
            return nodes.first_of_a_cold_cluster(self.broker.client, self.node, timeout=self.cluster.node_timeout)
        except Exception as error:  # Redis away: spreading nothing never delays a check
            log.error("cluster: overdue listings left as they are (%s)", one_line(error))
            return False

    def started(self, scheduler) -> None:
        from dramatiq import Worker

        self.loop = asyncio.get_running_loop()
        self.crawls.on_crawler = self._watch_push_backs
        self.worker = Worker(self.broker, worker_threads=self.cluster.threads, worker_timeout=500)
        self.worker.start()
        scheduler.add_job(self._beat, "interval", seconds=min(10.0, self.cluster.node_timeout / 4), id="heartbeat",
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True, misfire_grace_time=None)
        log.info("cluster: node %s taking checks from %s", self.node, engine.QUEUE)

    async def stopping(self) -> None:
        if self.worker is not None:
            # checks being run finish (the loop keeps running them); prefetched ones go back to the queue
            await asyncio.to_thread(self.worker.stop, int(self.config.stop_grace * 1000))
        await asyncio.to_thread(nodes.leave, self.broker.client, self.node)

    # -- dispatch: claim due slots, queue them -----------------------------------------------------------
    async def dispatch(self) -> None:
        self._refill_pending = False
        if self._stop is None or self._stop.is_set() or self.crawls is None:
            return
        try:
            count = await asyncio.to_thread(self._claim_and_send)
        except Exception as error:
            if not unavailable(error) and "redis" not in type(error).__module__:
                raise
            log.error("cluster: nothing dispatched this tick (%s)", one_line(error))
            return
        self.pace.dispatched += count

    def _claim_and_send(self) -> int:
        now = self.clock()
        alive = max(1, sum(1 for n in nodes.read(self.broker.client) if n["silent_s"] < self.cluster.node_timeout))
        with session_scope(self.sessions) as session:
            busy = claims.outstanding(session, now=now)
            # queued per marketplace: its usual room, and at least enough to keep every node's threads busy
            caps = {name: max(cap, 2 * self.cluster.threads) * alive for name, cap in self._rooms.items()}
            room = {name: max(0, cap - busy.get(name, 0)) for name, cap in caps.items()}
            default_room = room.get(registry.GENERIC_NAME, 2 * self.cluster.threads)
            batch = claims.claim_due(session, now=now, lease=self.cluster.lease, node=self.node, room=room,
                                     default_room=default_room, kinds=claims.TOGETHER_KINDS)
            # search walks apart: a few per marketplace and node, none where today's search budget is spent
            searching = {key: max(0, SEARCH_ROOM * alive - count) for key, count in busy.items()
                         if key.partition(":")[0] in APART_KINDS}
            batch += claims.claim_due(session, now=now, lease=self.cluster.lease, node=self.node, room=searching,
                                      default_room=SEARCH_ROOM * alive, kinds=APART_KINDS,
                                      skip=self.search_limits.spent() if self.search_limits else ())
            # sent before the claims commit: a node killed (or Redis failing) mid-batch rolls them back, so
            # the listings stay due for the other nodes at once instead of waiting out a lease; a message
            # whose claim never committed records nothing (crawler.recorder), and one taken before the
            # commit waits for it on the listing's row lock
            for item in batch:
                self.pace.lags.append(max(0.0, (now - item.due_at).total_seconds()))
                self.actor.send(claims.target_fields(item.target))
        return len(batch)

    def _landed(self) -> None:
        # claim more as soon as this node's checks land, not only at the next tick
        if self._refill_pending or self._stop is None or self._stop.is_set():
            return
        self._refill_pending = True
        asyncio.get_event_loop().call_later(0.1, lambda: asyncio.ensure_future(self.dispatch()))

    # -- the actor: one check, in a Dramatiq worker thread ---------------------------------------------
    def _check(self, fields: dict) -> None:
        target = CheckTarget(**fields)
        if target.kind in APART_KINDS:
            # each search page takes its turn as it goes out (SearchTurnMiddleware); a walk starts only when
            # one is near, so a paused or busy marketplace's searches wait in the queue, not in a worker thread
            wait = self.search_polite.ahead(target.marketplace)
            wait = wait if wait > self.cluster.max_wait else 0.0
        else:
            reserved, wait = self.polite.take_turn(target.marketplace, within=self.cluster.max_wait)
            if reserved and wait > 0:
                time.sleep(wait)
                # a push-back seen since the turn was reserved holds it too
                wait = self.polite.paused(target.marketplace)
        if wait > 0:
            self.actor.send_with_options(args=(fields,), delay=int(wait * 1000) + 50)
            return
        if self.loop is None or self._stop is None or self._stop.is_set():
            raise CheckNotRecorded("node stopping")
        future = asyncio.run_coroutine_threadsafe(self.crawls.check(target), self.loop)
        try:
            recorded = future.result(timeout=self.options.timeout * 3)
        except RuntimeError:  # this listing is already being checked on this node (a redelivery racing)
            self.actor.send_with_options(args=(fields,), delay=5_000)
            return
        except LeftDue:  # a search walk beyond today's budget: its claim goes back, nothing recorded
            with session_scope(self.sessions) as session:
                claims.release(session, target, now=self.clock())
            return
        if recorded is None:
            raise CheckNotRecorded(f"listing {target.listing_id}: the check could not be recorded")
        if recorded.outcome != SUPERSEDED:  # else: recorded already (a redelivery) or claimed again since
            self.done.append(time.monotonic())

    def _watch_push_backs(self, crawler, kind: str) -> None:
        handler = self._search_pushed_back if kind in APART_KINDS else self._pushed_back
        crawler.signals.connect(handler, signal=pushed_back_signal)

    def _pushed_back(self, marketplace=None, delay=0.0, **_) -> None:
        """A push-back on a product page pauses the marketplace's listing checks for every node, and its
        searches too: the most guarded pages wait while the ordinary ones are refused."""
        self._share_pause((self.polite, self.search_polite), marketplace, delay)

    def _search_pushed_back(self, marketplace=None, delay=0.0, **_) -> None:
        """A push-back on a search page pauses the marketplace's searches for every node, and only them:
        marketplaces guard search apart (a captcha on /s while product pages answer), and pausing listing
        checks on it would let a seller's keywords starve them. A listing check pushed back pauses both."""
        self._share_pause((self.search_polite,), marketplace, delay)

    def _share_pause(self, limiters, marketplace, delay) -> None:
        try:
            for polite in limiters:
                polite.pushed_back(marketplace, delay)
        except Exception as error:  # Redis away: the node's own back-off still holds
            log.error("cluster: could not share the back-off of %s (%s)", marketplace, one_line(error))

    def _beat(self) -> None:
        minute_ago = time.monotonic() - 60
        per_minute = sum(1 for t in self.done if t >= minute_ago)
        try:
            self.broker.do_qsize(engine.QUEUE)  # also the engine's heartbeat while every thread is busy
            nodes.beat(self.broker.client, self.node, {
                "host": socket.gethostname(), "pid": os.getpid(), "broker_id": self.broker.broker_id,
                "node_timeout": self.cluster.node_timeout,
                "started_at": self.started_at.isoformat(), "checks_per_minute": per_minute,
                "checks": len(self.done), "in_flight": len(self.crawls.in_flight) if self.crawls else 0})
        except Exception as error:
            log.error("cluster: heartbeat failed (%s)", one_line(error))
