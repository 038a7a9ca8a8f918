"""The js_rendered page in a real Chromium: no data at `load`, the data shortly after.
Skipped where no Chromium is installed."""
from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pytest

from sandbox.catalog import Product
from sandbox.server import RunningSandbox

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")


def test_js_rendered_page_fills_in_after_load(sandbox: RunningSandbox) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    sandbox.catalog.put(Product(id="spa-browser", title="Tasse SPA", price=Decimal("34.50"), seller="Atelier",
                                state="js_rendered"))
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{sandbox.url}/p/spa-browser", wait_until="load")
            assert "application/ld+json" not in page.content()
            page.wait_for_selector('script[type="application/ld+json"]', state="attached", timeout=10_000)
            html = page.content()
        finally:
            browser.close()
    assert re.search(r'id="price">34,50 €<', html)
    assert '"price":"34.50"' in html and "Chargement" not in html
