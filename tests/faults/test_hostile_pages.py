"""Hostile pages through the real `vigie check` (issue 14 point 4, issue 15 points 5 and 6).

Each hostile answer ends as `error` (or the outcome it truly is) with a reason that says what
happened; the good listings of the same pass are recorded as listed; the whole pass stays within a
memory bound (PSS of vigie and every process it starts) and stores nothing huge.
"""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import create_engine, func, select

from store.models import Blob
from tests.cli.runner import Vigie
from tests.faults.hostile_memory import run_measured
from tests.faults.hostile_server import HostileServer

CHROMIUM = "/usr/bin/chromium"
MB = 1024 * 1024

# the 5 MB JSON-LD page must arrive within it on a loaded machine (2 s did not, beside another test worker)
STATIC_TIMEOUT = 5

# path → (outcome, a part of its one reason)
STATIC = {
    "/big-chunked/1": ("error", "size limit exceeded: received"),
    "/big-length/1": ("error", "size limit exceeded: Expected to receive 104857600 bytes"),
    "/gzip-bomb/1": ("error", "size limit exceeded"),
    "/pdf/1": ("error", "not a web page: the URL serves application/pdf"),
    "/png/1": ("error", "not a web page: the URL serves image/png"),
    "/zip/1": ("error", "not a web page: the URL serves application/zip"),
    "/loop/a": ("error", "too many redirects"),
    "/chain/30": ("error", "too many redirects"),
    "/slow/1": ("error", f"took longer than {STATIC_TIMEOUT:.1f} seconds"),
    "/deep/1": ("error", "no product data"),
    "/price/1e309": ("listed", "price not found: '1e309' is in exponent notation"),
    "/price/-5": ("listed", "price not found: '-5' is negative"),
    "/price/NaN": ("listed", "price not found: 'NaN' is not a number"),
}
# pages read as they are: (outcome, price)
READABLE = {"/bad-utf8/1": ("listed", "19.99"), "/blob/1": ("listed", "24.50"),
            "/good/1": ("listed", "19.99"), "/good/2": ("listed", "19.99")}

# a redirect loop crosses the egress proxy once per hop, and a tab shares two loaded cores with Chromium
# unpacking a gzip bomb and another test worker: with 6 s a plain product page once ended as an error in a full
# two-worker run
BROWSER_TIMEOUT = "10"
BROWSER = {
    "/big-chunked/b": ("error", "size limit exceeded: the browser received more than"),
    "/gzip-bomb/b": ("error", "size limit exceeded: the browser received more than"),
    "/slow/b": ("error", "Timeout"),
    "/loop/b": ("error", "ERR_TOO_MANY_REDIRECTS"),
    "/pdf/b": ("error", "not a web page: the URL serves application/pdf"),
    "/png/b": ("error", "not a web page: the URL serves image/png"),
    "/deep/b": ("error", "no product data"),
    "/price/1e309": ("listed", "price not found: '1e309' is in exponent notation"),
}
BROWSER_READABLE = {"/good/b1": ("listed", "19.99"), "/good/b2": ("listed", "19.99")}


@pytest.fixture
def server():
    with HostileServer() as running:
        yield running


def check_pass(vigie: Vigie, server: HostileServer, pages: dict, readable: dict, *, browser: bool):
    ids = {}
    for path in [*pages, *readable]:
        added = vigie.ok("add", server.url + path, "--json", *(["--browser"] if browser else [])).json()
        ids[added["id"]] = path
    run = run_measured(vigie, "check", "--all", "--json")
    assert run.code == 0, run.err
    found = {ids[r["listing_id"]]: r for r in run.json()["results"]}
    assert set(found) == set(ids.values())  # every check recorded, the hostile ones included
    for path, (outcome, why) in pages.items():
        result = found[path]
        assert result["outcome"] == outcome, (path, result["outcome"], result["reasons"])
        assert result["price"] is None, (path, result)
        reasons = [r for r in result["reasons"] if why in r]
        assert reasons, (path, result["reasons"])
        assert all(len(r) <= 500 and "\n" not in r for r in result["reasons"])
    for path, (outcome, price) in readable.items():
        assert (found[path]["outcome"], found[path]["price"]) == (outcome, price), (path, found[path])
    return run


def stored_sizes(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            largest = connection.scalar(select(func.max(func.length(Blob.data)))) or 0
            total = connection.scalar(select(func.sum(func.length(Blob.data)))) or 0
    finally:
        engine.dispose()
    return largest, total


def test_hostile_pages_through_the_static_path(tmp_path, database_url, server):
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_TIMEOUT=str(STATIC_TIMEOUT))
    run = check_pass(vigie, server, STATIC, READABLE, browser=False)
    assert run.peak_mb < 600, f"vigie check peaked at {run.peak_mb:.0f} MB"
    largest, total = stored_sizes(database_url)
    # the 5 MB JSON-LD page is the largest body kept, compressed; nothing of the 100 MB ones
    assert largest < 3 * MB and total < 4 * MB, (largest, total)


@pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.environ.get("VIGIE_BROWSER_PATH"),
                    reason="needs Chromium")
def test_hostile_pages_through_the_browser(tmp_path, database_url, server):
    # The yardstick, same run: a pass over as many well-behaved pages. Chromium's own footprint
    # (600 MB to 1.4 GB of PSS, from one machine to another) is not what is measured here.
    calm = Vigie(tmp_path / "calm", f"sqlite:///{tmp_path / 'calm.db'}", VIGIE_TIMEOUT=BROWSER_TIMEOUT)
    for number in range(len(BROWSER) + len(BROWSER_READABLE)):
        calm.ok("add", f"{server.url}/good/calm{number}", "--browser")
    baseline = run_measured(calm, "check", "--all", "--json")
    assert baseline.code == 0, baseline.err

    vigie = Vigie(tmp_path / "data", database_url, VIGIE_TIMEOUT=BROWSER_TIMEOUT)
    run = check_pass(vigie, server, BROWSER, BROWSER_READABLE, browser=True)
    # a 100 MB page took 2.4 GB more than a calm pass before the browser's size limit
    assert run.peak_mb < baseline.peak_mb + 800, \
        f"hostile pages peaked at {run.peak_mb:.0f} MB, calm ones at {baseline.peak_mb:.0f} MB"
    largest, total = stored_sizes(database_url)
    assert largest < 1 * MB and total < 2 * MB, (largest, total)
