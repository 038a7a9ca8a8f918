"""Browser checks end to end: `vigie check` against the sandbox with a real Chromium."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from crawler.browser import find_browser
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models import Blob
from tests.cli.runner import Vigie

needs_chromium = pytest.mark.skipif(find_browser(None) is None,
                                    reason="no Chromium (apt-get install chromium, or playwright install chromium)")
SELLER = "Atelier Dupont"


@pytest.fixture
def sandbox():
    catalog = Catalog([
        Product(id="js", title="Lampe rendue", price=Decimal("34.50"), seller=SELLER, state="js_rendered"),
        Product(id="plain", title="Lampe simple", price=Decimal("20.00"), seller=SELLER),
        Product(id="slow", title="Lampe lente", price=Decimal("20.00"), seller=SELLER, state="slow", delay=8),
    ])
    with run_in_thread(catalog) as running:
        yield running


def add(vigie: Vigie, sandbox, pid: str, *extra: str) -> int:
    return vigie.ok("add", f"{sandbox.url}/p/{pid}", "--seller", SELLER, "--json", *extra).json()["id"]


def by_listing(check_json: dict) -> dict[int, dict]:
    return {r["listing_id"]: r for r in check_json["results"]}


def blob_media_type(database_url: str, sha: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            return session.scalar(select(Blob.media_type).where(Blob.sha256 == sha))
    finally:
        engine.dispose()


@needs_chromium
def test_a_page_built_by_javascript_is_listed_with_its_price_and_a_screenshot(sandbox, tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url)
    rendered, plain = add(vigie, sandbox, "js"), add(vigie, sandbox, "plain")
    results = by_listing(vigie.ok("check", "--all", "--json").json())
    assert results[rendered]["outcome"] == "listed"
    assert results[rendered]["price"] == "34.50"
    assert results[plain]["outcome"] == "listed"

    [snapshot] = vigie.ok("history", str(rendered), "--json").json()
    assert snapshot["fetch_method"] == "browser"
    assert snapshot["screenshot_sha256"]
    assert blob_media_type(database_url, snapshot["screenshot_sha256"]) == "image/png"
    [static] = vigie.ok("history", str(plain), "--json").json()
    assert static["fetch_method"] == "http"  # the static path stays the default
    assert static["screenshot_sha256"] is None


@needs_chromium
def test_a_delisting_is_confirmed_by_a_browser_fetch_before_the_event(sandbox, tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_CONFIRMATIONS="2")
    listing = add(vigie, sandbox, "plain")
    vigie.ok("check", "--all")
    sandbox.catalog.patch("plain", state="not_found")
    first = by_listing(vigie.ok("check", "--all", "--json").json())[listing]
    assert (first["outcome"], first["events"]) == ("gone", [])
    second = by_listing(vigie.ok("check", "--all", "--json").json())[listing]
    assert (second["outcome"], second["events"]) == ("gone", ["delisted"])

    history = vigie.ok("history", str(listing), "--json").json()
    confirming = next(s for s in history if s["id"] == second["snapshot_id"])
    assert confirming["fetch_method"] == "browser"
    assert confirming["http_status"] == 404
    assert confirming["screenshot_sha256"]
    assert len(history) == 3  # one observation per check, the static sighting is not stored twice


@needs_chromium
def test_a_browser_page_that_times_out_is_an_error_never_gone(sandbox, tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_TIMEOUT="2")
    listing = add(vigie, sandbox, "slow", "--browser")
    result = by_listing(vigie.ok("check", "--all", "--json").json())[listing]
    assert result["outcome"] == "error"
    assert "timeout" in " ".join(result["reasons"]).lower()
    [snapshot] = vigie.ok("history", str(listing), "--json").json()
    assert snapshot["fetch_method"] == "browser"


def test_without_a_browser_browser_checks_are_errors_saying_how_to_install_one(sandbox, tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_BROWSER_PATH="/nonexistent")
    forced, plain = add(vigie, sandbox, "js", "--browser"), add(vigie, sandbox, "plain")
    run = vigie.ok("check", "--all", "--json")
    results = by_listing(run.json())
    assert results[forced]["outcome"] == "error"
    [reason] = results[forced]["reasons"]
    assert "VIGIE_BROWSER_PATH=/nonexistent" in reason and "apt-get install chromium" in reason
    assert results[plain]["outcome"] == "listed"  # static checks still work
