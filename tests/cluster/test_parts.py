"""Cluster mode's parts that need no running cluster: its settings, pace and refusals."""
from __future__ import annotations

import pytest

from cluster.politeness import default_rates, window_for
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


def test_a_window_never_allows_more_than_the_rate():
    for rate in (0.3, 0.5, 0.67, 1.0, 2.5, 10.0, 40.0):
        limit, window = window_for(rate)
        assert limit >= 1 and window >= 1
        assert limit / window <= rate + 1e-9, (rate, limit, window)
        assert limit / window >= rate / 2, (rate, limit, window)  # and not much less


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
                           node="test-node", pace=Pace(), actor=SimpleNamespace(send=send))
    with pytest.raises(ConnectionError):
        ClusterService._claim_and_send(node)
    assert len(sent) == 3  # three messages out, whose claims never committed: they record nothing
    with session_scope(sessions) as session:
        rows = session.execute(select(Listing.claim_token, Listing.next_check_at).where(Listing.id.in_(ids))).all()
    assert rows and all(token is None and due == T0 for token, due in rows), rows
    node.actor.send = lambda fields: sent.append(fields["listing_id"])
    assert ClusterService._claim_and_send(node) == 6  # the next tick takes all six
