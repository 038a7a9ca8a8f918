"""Cluster mode's parts that need no running cluster: its settings, pace and refusals."""
from __future__ import annotations

import bisect
import threading
import time
import uuid

import pytest

from cluster.politeness import default_rates
from spiders.registry import all_marketplaces
from tests.cli.runner import Vigie
from vigie.settings import SettingsError, load


def test_queue_url_and_rates_are_read_and_bad_ones_named():
    s = load({"VIGIE_QUEUE_URL": "redis://10.0.0.5:6379/0", "VIGIE_RATE_LIMITS": "amazon=0.5, generic=40",
              "VIGIE_LEASE": "5m", "VIGIE_NODE_TIMEOUT": "30s"})
    assert s.queue_url == "redis://10.0.0.5:6379/0"
    assert s.rate_limits == (("amazon", 0.5), ("generic", 40.0))
    assert s.lease.total_seconds() == 300 and s.node_timeout.total_seconds() == 30
    assert load({}).queue_url is None  # the embedded single-process default
    with pytest.raises(SettingsError, match="VIGIE_QUEUE_URL"):
        load({"VIGIE_QUEUE_URL": "amqp://127.0.0.1"})
    for bad in ("amazon", "amazon=fast", "amazon=0", "=3"):
        with pytest.raises(SettingsError, match="VIGIE_RATE_LIMITS"):
            load({"VIGIE_RATE_LIMITS": bad})


def test_default_rates_follow_each_marketplace_delay():
    marketplaces = {m.name: m for m in all_marketplaces()}
    rates = default_rates(marketplaces)
    for name, marketplace in marketplaces.items():
        if marketplace.delay > 0:
            assert rates[name] == pytest.approx(1 / marketplace.delay)
        else:
            assert name not in rates


def test_cluster_mode_refuses_a_store_other_nodes_cannot_share(tmp_path, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("this test is about the SQLite default")
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_QUEUE_URL="redis://127.0.0.1:6379/14")
    run = vigie("run")
    assert run.code != 0
    assert "VIGIE_QUEUE_URL needs VIGIE_DATABASE_URL on PostgreSQL" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_a_dispatch_that_fails_mid_batch_leaves_every_listing_due(sessions, database_url):
    """The queue failing (or the node dying) after some of a batch's messages went out: the claims roll
    back, so the listings are due for any node at once rather than a lease later."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from cluster.node import ClusterConfig, ClusterService
    from crawler.service import Pace
    from store.db import session_scope
    from store.models import Listing
    from tests.cluster.world import redis_client
    from tests.service.test_parts import T0, _listings

    if not database_url.startswith("postgresql"):
        pytest.skip("cluster mode claims on PostgreSQL")
    ids = _listings(sessions, 6)
    sent = []

    def send(fields):
        if len(sent) == 3:
            raise ConnectionError("Redis went away")
        sent.append(fields["listing_id"])

    node = SimpleNamespace(clock=lambda: T0, broker=SimpleNamespace(client=redis_client()), sessions=sessions,
                           cluster=ClusterConfig(queue_url="redis://unused", threads=4), _rooms={"generic": 10},
                           search_limits=None, node="test-node", pace=Pace(), actor=SimpleNamespace(send=send))
    with pytest.raises(ConnectionError):
        ClusterService._claim_and_send(node)
    assert len(sent) == 3  # three messages out, whose claims never committed: they record nothing
    with session_scope(sessions) as session:
        rows = session.execute(select(Listing.claim_token, Listing.next_check_at).where(Listing.id.in_(ids))).all()
    assert rows and all(token is None and due == T0 for token, due in rows), rows
    node.actor.send = lambda fields: sent.append(fields["listing_id"])
    assert ClusterService._claim_and_send(node) == 6  # the next tick takes all six


def _take_turn(polite, marketplace: str) -> float:
    """What a node's worker thread does before each fetch (cluster.node): waits for its turn; returns when it went."""
    while True:
        reserved, wait = polite.take_turn(marketplace, within=2.0)
        time.sleep(wait)
        if reserved:
            return time.time()


def test_no_sliding_second_holds_more_than_the_rate_across_nodes():
    """Two "nodes" (clients of their own), four threads each, taking turns of one marketplace for 4 s: in
    any window of one second (on the wall clock, not calendar seconds) at most `rate` turns, and the
    cluster still gets close to `rate` a second. The 30 ms shaved off each window is thread wake-up
    jitter, not a burst: turns are handed out 1/rate apart."""
    import redis

    from cluster.politeness import SharedPoliteness
    from tests.cluster.world import REDIS_URL, redis_client

    redis_client()  # skips without Redis
    rate, seconds, namespace = 10, 4.0, f"test-{uuid.uuid4().hex[:8]}"
    nodes = [SharedPoliteness(redis.Redis.from_url(REDIS_URL), {"generic": rate}, namespace=namespace)
             for _ in range(2)]
    grants: list[float] = []
    lock = threading.Lock()
    start = time.time()
    deadline = start + seconds

    def worker(polite):
        while (at := _take_turn(polite, "generic")) < deadline:
            with lock:
                grants.append(at)

    threads = [threading.Thread(target=worker, args=(polite,)) for polite in nodes for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grants.sort()
    busiest = max(bisect.bisect_left(grants, t + 1.0 - 0.03) - i for i, t in enumerate(grants))
    assert busiest <= rate, busiest
    assert len(grants) >= rate * seconds * 0.9, len(grants)  # and the rate is still reached


def test_status_names_dead_nodes_folds_old_ones_and_fits_80_columns(tmp_path, database_url):
    """`vigie status` on an 80-column terminal: whole node ids, "dead" for a node past its timeout, and a
    node dead for over an hour folded into a count rather than listed for a day."""
    import json as json_

    from cluster import nodes
    from tests.cluster.world import REDIS_URL, redis_client

    client = redis_client()
    client.delete(nodes.BOARD)
    now = time.time()
    board = {"vigie-worker-3.prod.example.org:4194301:ab12cd": now - 2,
             "vigie-worker-4.prod.example.org:4194302:ef34ab": now - 120,  # killed two minutes ago
             "vigie-worker-5.prod.example.org:4194303:cd56ef": now - 7200}  # killed two hours ago
    for node, heartbeat in board.items():
        host, pid, _ = node.split(":")
        client.hset(nodes.BOARD, node, json_.dumps({"host": host, "pid": int(pid), "broker_id": node,
                                                    "node_timeout": 60.0, "checks_per_minute": 120,
                                                    "checks": 5000, "heartbeat": heartbeat}))
    try:
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_QUEUE_URL=REDIS_URL, COLUMNS="80")
        shown = vigie.ok("status").out
        listed = vigie.ok("status", "--json").json()["cluster"]
    finally:
        client.delete(nodes.BOARD)
    lines = shown.splitlines()
    assert all(len(line) <= 80 for line in lines), shown
    assert "…" not in shown and "silent" not in shown, shown
    for alive_or_dead, node in zip(("alive", "dead"), list(board)[:2]):
        assert any(node in line and alive_or_dead in line for line in lines), shown
    assert list(board)[2] not in shown and "1 node dead for over 1 h" in shown, shown
    assert [n["node"] for n in listed["nodes"]] == list(board)[:2] and listed["folded"] == 1, listed


def test_only_the_first_node_of_a_cold_cluster_spreads_the_backlog():
    import json as json_

    from cluster import nodes
    from tests.cluster.world import redis_client

    client = redis_client()
    client.delete(nodes.BOARD, nodes.COLD_START)
    try:
        client.hset(nodes.BOARD, "dead:1:a", json_.dumps({"heartbeat": time.time() - 600, "node_timeout": 60}))
        assert nodes.first_of_a_cold_cluster(client, "b", timeout=60)  # only a dead node: cold
        assert not nodes.first_of_a_cold_cluster(client, "c", timeout=60)  # started with b, before b's beat
        client.delete(nodes.COLD_START)
        nodes.beat(client, "b", {"node_timeout": 60})
        assert not nodes.first_of_a_cold_cluster(client, "d", timeout=60)  # b is alive: d joins a warm cluster
    finally:
        client.delete(nodes.BOARD, nodes.COLD_START)
