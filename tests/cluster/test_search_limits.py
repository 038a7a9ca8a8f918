"""Search pages' limits shared by a cluster's nodes through a real Redis (issue 27): each "node" here is a process
of its own with its own client, as `vigie run` nodes are. The search pace holds across them and never takes or
pauses a listing check's turn; the daily budget is never overrun by nodes racing for its last pages, and a new
UTC day (given, not slept to) starts it afresh."""
from __future__ import annotations

import bisect
import logging
import multiprocessing
import time
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from cluster.node import ClusterService
from cluster.politeness import SharedPoliteness
from cluster.search_limits import SEARCH_NAMESPACE, SharedSearchBudget, search_turns
from tests.cluster.world import REDIS_URL, redis_client

D = date(2026, 3, 14)
MARKETPLACE = "sandbox-limits-test"


@pytest.fixture
def client():
    client = redis_client()  # VIGIE_TEST_REDIS_URL unreachable: a failure, not a skip
    _clean(client)
    yield client
    _clean(client)


def _clean(client) -> None:
    for key in client.scan_iter(f"{SEARCH_NAMESPACE}:*"):
        client.delete(key)
    client.delete(f"vigie:turn:{MARKETPLACE}", f"vigie:pause:{MARKETPLACE}")


def _search_pages(rate: float, seconds: float, start, out) -> None:
    """A node's search pages: three threads taking turns (as SearchTurnMiddleware and the node's workers do)."""
    import threading

    import redis

    turns = search_turns(redis.Redis.from_url(REDIS_URL), rate)
    grants: list[float] = []
    start.wait(timeout=120)  # every process started (spawn can take seconds on a loaded machine), then the clock
    until = time.time() + seconds
    lock = threading.Lock()

    def worker():
        while True:
            reserved, wait = turns.take_turn(MARKETPLACE, within=2.0)
            time.sleep(wait)
            if reserved:
                if time.time() >= until:
                    return
                with lock:
                    grants.append(time.time())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(("search", grants))


def _listing_checks(rate: float, seconds: float, start, out) -> None:
    import redis

    polite = SharedPoliteness(redis.Redis.from_url(REDIS_URL), {MARKETPLACE: rate})
    grants = []
    start.wait(timeout=120)
    until = time.time() + seconds
    while True:
        reserved, wait = polite.take_turn(MARKETPLACE, within=2.0)
        time.sleep(wait)
        if reserved:
            if time.time() >= until:
                break
            grants.append(time.time())
    out.put(("listing", grants))


def _busiest_second(grants: list[float]) -> int:
    grants = sorted(grants)  # 30 ms shaved off each window: thread wake-up jitter, not a burst
    return max((bisect.bisect_left(grants, t + 1.0 - 0.03) - i for i, t in enumerate(grants)), default=0)


def test_two_nodes_together_stay_within_the_search_rate_and_listing_checks_keep_their_own_pace(client):
    search_rate, listing_rate, seconds = 4.0, 5.0, 4.0
    context = multiprocessing.get_context("spawn")
    out, start = context.Queue(), context.Barrier(4)
    nodes = [context.Process(target=_search_pages, args=(search_rate, seconds, start, out)) for _ in range(2)]
    nodes.append(context.Process(target=_listing_checks, args=(listing_rate, seconds, start, out)))
    for process in nodes:
        process.start()
    start.wait(timeout=120)
    until = time.time() + seconds
    results = [out.get(timeout=60) for _ in nodes]
    for process in nodes:
        process.join(10)
    (listing,) = [grants for kind, grants in results if kind == "listing"]
    per_node = [grants for kind, grants in results if kind == "search"]
    searches = sorted(t for grants in per_node for t in grants)
    window = [t for t in searches if t >= until - seconds]
    assert _busiest_second(searches) <= search_rate, _busiest_second(searches)
    assert len(window) >= search_rate * seconds * 0.85, len(window)  # both nodes together still reach the rate
    assert len(per_node) == 2 and all(per_node)  # each search node got turns: they share, neither starves
    # the listing checks' turns, in the same marketplace's name, went at their own pace meanwhile
    listing_window = [t for t in listing if t >= until - seconds]
    assert len(listing_window) >= listing_rate * seconds * 0.85, len(listing_window)
    assert _busiest_second(listing) <= listing_rate


def test_a_push_back_on_search_pauses_searches_only_and_one_on_a_product_page_pauses_both(client):
    import redis

    listing = SharedPoliteness(redis.Redis.from_url(REDIS_URL), {MARKETPLACE: 10.0})
    search = search_turns(redis.Redis.from_url(REDIS_URL), 10.0)
    node = SimpleNamespace(polite=listing, search_polite=search)
    node._share_pause = lambda limiters, marketplace, delay: ClusterService._share_pause(node, limiters, marketplace,
                                                                                         delay)
    # another node's view (a client of its own) of a wall on a search page
    ClusterService._search_pushed_back(node, marketplace=MARKETPLACE, delay=30.0)
    other_search = search_turns(redis.Redis.from_url(REDIS_URL), 10.0)
    assert 25 < other_search.ahead(MARKETPLACE) <= 30  # the node leaves its walks in the queue meanwhile
    reserved, wait = other_search.take_turn(MARKETPLACE, within=2.0)
    assert not reserved and 25 < wait <= 30
    assert listing.take_turn(MARKETPLACE, within=2.0) == (True, 0.0)  # listing checks go on
    assert listing.paused(MARKETPLACE) == 0
    # a 429 on a product page: listing checks and searches both wait
    _clean(client)
    ClusterService._pushed_back(node, marketplace=MARKETPLACE, delay=20.0)
    assert 15 < listing.paused(MARKETPLACE) <= 20 and 15 < other_search.paused(MARKETPLACE) <= 20


def _take_walks(limit: int, pages: int, attempts: int, out) -> None:
    import redis

    budget = SharedSearchBudget(redis.Redis.from_url(REDIS_URL), limit)
    out.put(sum(budget.take(MARKETPLACE, pages, day=D) for _ in range(attempts)))


def test_nodes_racing_for_the_budget_never_overrun_it_and_the_next_day_starts_afresh(client, caplog):
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    nodes = [context.Process(target=_take_walks, args=(101, 2, 200, out)) for _ in range(3)]
    for process in nodes:
        process.start()
    walks = sum(out.get(timeout=60) for _ in nodes)
    for process in nodes:
        process.join(10)
    budget = SharedSearchBudget(client, 101)
    assert walks == 50 and budget.used(MARKETPLACE, day=D) == 100  # 50 walks of 2 pages; the 101st page unused
    assert budget.spent(day=D) == {MARKETPLACE}  # the dispatchers claim no more of its searches today
    assert 0 < client.ttl(f"{SEARCH_NAMESPACE}:budget:{D.isoformat()}:{MARKETPLACE}") <= 2 * 86_400
    with caplog.at_level(logging.WARNING, logger="vigie.cluster"):
        assert not budget.take(MARKETPLACE, 2, day=D)  # already said today, by whichever node refused first
        assert caplog.records == []
        budget.give_back(MARKETPLACE, 3, day=D)  # a walk that read 1 of its 4 pages
        assert budget.used(MARKETPLACE, day=D) == 97 and budget.take(MARKETPLACE, 4, day=D)
        tomorrow = D + timedelta(days=1)
        assert budget.spent(day=tomorrow) == set() and budget.take(MARKETPLACE, 100, day=tomorrow)
        assert not budget.take(MARKETPLACE, 2, day=tomorrow) and not budget.take(MARKETPLACE, 2, day=tomorrow)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and tomorrow.isoformat() in said[0] and MARKETPLACE in said[0], said
    assert SharedSearchBudget(client, 0).take(MARKETPLACE, 10**6, day=tomorrow)  # 0: no budget
