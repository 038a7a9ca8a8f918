"""Issue 15, point 8: /docs is served from this origin (no CDN) and renders under its own CSP; /redoc is gone."""
from __future__ import annotations

import re
import shutil

import pytest

from observatory.server import RunningObservatory
from tests.observatory.conftest import app, client, world  # noqa: F401

CHROMIUM = "/usr/bin/chromium" if shutil.which("/usr/bin/chromium") else None
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def test_docs_load_nothing_from_another_origin(client):  # noqa: F811
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), page.text
    for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", page.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium at /usr/bin/chromium")
def test_docs_render_the_operations_in_a_real_browser_offline(app):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with RunningObservatory(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context()
            elsewhere: list[str] = []
            # offline: any request off this origin is recorded and refused
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                          else (elsewhere.append(route.request.url), route.abort()))
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server.url + "/docs")
            page.locator('[data-path="/api/listings/{listing_id}/evidence"]').first.wait_for(timeout=15_000)
            assert page.locator(".opblock").count() >= 8
            assert page.locator("button.authorize").count() == 1  # the declared bearer scheme
            assert elsewhere == [] and problems == []
        finally:
            browser.close()
