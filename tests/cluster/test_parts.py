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
