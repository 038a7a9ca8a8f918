"""The observatory in a real browser (Chromium through Playwright), against a server on loopback."""
from __future__ import annotations

import shutil

import pytest

from observatory.evidence import verify_bundle
from observatory.server import RunningObservatory
from tests.observatory.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium" if shutil.which("/usr/bin/chromium") else None
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium at /usr/bin/chromium")


@pytest.fixture
def browser_page(app):
    from playwright.sync_api import sync_playwright

    with RunningObservatory(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            yield server.url, page, dialogs
        finally:
            browser.close()


def log_in(page, base, email):
    page.goto(base + "/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Per marketplace and week")


def test_seller_sees_own_listing_chart_evidence_and_downloads_a_bundle(browser_page, world, tmp_path):
    base, page, dialogs = browser_page
    log_in(page, base, "alice@example.org")
    page.click("text=Listings")
    assert page.locator("table.listings tr").count() == 2  # the header and alice's one listing
    assert "cdiscount" not in page.content()
    page.click("text=alice-shop lamp")
    assert page.locator("#price-chart polyline.series-price").count() == 1
    assert page.locator("#price-chart polyline.series-fee").count() == 1
    assert page.locator("table.events td[data-kind=delisted]").count() == 1
    assert page.locator("iframe.stored").get_attribute("sandbox") == ""
    assert page.locator("img.screenshot").evaluate("img => img.naturalWidth") == 1
    with page.expect_download() as info:
        page.click("#download-evidence")
    saved = tmp_path / "bundle.zip"
    info.value.save_as(saved)
    assert verify_bundle(saved) == []
    page.goto(f"{base}/listings/{world.seeded.bob_listing}")
    assert "no listing" in page.content() and "Bob secret" not in page.content()
    assert dialogs == []


def test_investigator_sees_every_seller(browser_page, world):
    base, page, _ = browser_page
    log_in(page, base, "ivy@example.org")
    page.goto(base + "/listings")
    table = page.locator("table.listings").inner_text()
    assert "alice-shop" in table and "bob-shop" in table
    page.select_option("select[name=account]", "bob-shop")
    page.click("text=Filter")
    assert "alice-shop lamp" not in page.locator("table.listings").inner_text()
    page.click("text=bob-shop lamp")
    assert page.locator("#listing-state").get_attribute("data-state") == "listed"
    assert page.locator("a[href='/register']").count() == 0


def test_a_stored_page_carrying_a_script_never_runs(browser_page, world):
    base, page, dialogs = browser_page
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/listings/{world.seeded.alice_listing}?seq=2")
    frame = page.frame_locator("iframe.stored")
    assert frame.locator("h1").inner_text() == "Lampe"
    page.wait_for_timeout(300)  # room for a late onerror handler to fire, if it could
    assert "SCRIPT RAN" not in frame.locator("body").inner_text()
    assert "SCRIPT RAN" not in page.title() and dialogs == []
    # the title the marketplace served, a script tag, is shown as text on the listing page
    assert page.get_by_text("Lampe <script>alert(1)</script>").count() >= 1
    # opened directly (outside the iframe) the policy still forbids its script
    page.goto(f"{base}/listings/{world.seeded.alice_listing}/snapshots/2/page")
    page.wait_for_timeout(300)
    assert page.locator("h1").inner_text() == "Lampe" and dialogs == []
