"""The browser path with a real Chromium: full-page screenshots and tabs reused between checks."""
from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
from decimal import Decimal

import pytest
from playwright.async_api import async_playwright

from crawler.browser import find_browser, launch_options
from crawler.browser_page import MAX_SCREENSHOT_HEIGHT, full_page_png
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

pytestmark = pytest.mark.skipif(find_browser(None) is None,
                                reason="no Chromium (apt-get install chromium, or playwright install chromium)")

# One pass of browser checks in a child process (Twisted's reactor runs once per process); prints
# the outcomes and the pass's counters.
CRAWL = """
import json, sys
from datetime import UTC, datetime
from sqlalchemy import update
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, due_targets, run_pass
from store.db import make_engine, session_factory, session_scope
from store.models import Listing

engine = make_engine(sys.argv[1])
sessions = session_factory(engine)
with session_scope(sessions) as session:
    session.execute(update(Listing).values(browser=True))
with session_scope(sessions) as session:
    targets = due_targets(session, now=datetime.now(UTC), every=True)
report = run_pass(targets, Recorder(sessions, RecorderConfig()),
                  CrawlOptions(allow_private_hosts=True, extra=json.loads(sys.argv[2])))
print(json.dumps({"outcomes": sorted(r.outcome for _, r in report.results), "counters": report.counters}))
"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def screenshot_of_html(html: str, *, width: int = 800) -> bytes:
    async def take() -> bytes:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options(find_browser(None)))
            try:
                page = await browser.new_page(viewport={"width": width, "height": 600})
                await page.set_content(html)
                return await full_page_png(page, timeout_ms=10_000)
            finally:
                await browser.close()
    return asyncio.run(take())


def test_the_screenshot_covers_the_whole_page_not_the_viewport():
    shot = screenshot_of_html('<body style="margin:0"><div style="height:2600px;background:#c00">tall</div></body>')
    assert png_size(shot) == (800, 2600)


def test_a_page_shorter_than_the_viewport_is_pictured_with_the_whole_viewport():
    shot = screenshot_of_html('<body style="margin:0"><p>court</p></body>')
    assert png_size(shot) == (800, 600)


def test_a_page_taller_than_chromium_can_paint_is_cut_at_the_limit():
    shot = screenshot_of_html('<body style="margin:0"><div style="height:30000px">endless</div></body>', width=64)
    assert png_size(shot) == (64, MAX_SCREENSHOT_HEIGHT)


def run_crawl(database_url: str, **settings: object) -> dict:
    done = subprocess.run([sys.executable, "-c", CRAWL, database_url, json.dumps(settings)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def catalog_of_24():
    catalog = Catalog([Product(id=f"p{i}", title=f"Lampe {i}", price=Decimal("20.00") + i, seller="Atelier Dupont",
                               state="js_rendered" if i % 4 == 0 else "listed") for i in range(24)])
    with run_in_thread(catalog) as running:
        yield running


def register_all(sandbox, tmp_path, database_url) -> None:
    listings = tmp_path / "listings.csv"
    listings.write_text("url\n" + "\n".join(f"{sandbox.url}/p/p{i}" for i in range(24)) + "\n")
    Vigie(tmp_path / "data", database_url).ok("import", str(listings))


def test_tabs_serve_several_checks_each(catalog_of_24, tmp_path, database_url):
    register_all(catalog_of_24, tmp_path, database_url)
    result = run_crawl(database_url)
    assert result["outcomes"] == ["listed"] * 24
    # 24 checks, 8 tabs at most at a time, each kept for 10 checks: scrapy-playwright alone opens 24
    assert result["counters"]["playwright/page_count"] <= 10
    assert result["counters"].get("vigie/browser/recycled", 0) == 0


def test_tabs_are_closed_after_their_quota_of_checks(catalog_of_24, tmp_path, database_url):
    register_all(catalog_of_24, tmp_path, database_url)
    result = run_crawl(database_url, VIGIE_BROWSER_PAGE_USES=2, PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=4)
    assert result["outcomes"] == ["listed"] * 24
    # no tab serves more than two checks, and tabs are reused: scrapy-playwright alone opens 24
    assert 12 <= result["counters"]["playwright/page_count"] < 24


def test_the_browser_is_recycled_after_its_quota_of_pages_and_checks_go_on(catalog_of_24, tmp_path, database_url):
    register_all(catalog_of_24, tmp_path, database_url)
    result = run_crawl(database_url, VIGIE_BROWSER_RECYCLE_PAGES=10)
    assert result["outcomes"] == ["listed"] * 24  # no check lost while a browser closes and the next starts
    assert result["counters"]["vigie/browser/recycled"] >= 2
