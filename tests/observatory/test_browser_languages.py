"""The observatory as a seller and an investigator read it, in French and in English, in real Chromium: the language
the browser asks for (or the one the user chose), event words, the chart's axis labels, the attention list."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from observatory.server import RunningObservatory
from store.db import session_scope
from sqlalchemy import select

from store.models import AlertDelivery, Event, Listing
from tests.observatory.conftest import PASSWORD
from tests.observatory.seed import T0
from tests.observatory.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium at /usr/bin/chromium")
LOCALES = {"fr": "fr-FR", "en": "en-US"}
NBSP = re.compile(r"[\u00a0\u202f]")


@pytest.fixture
def chromium(app):
    from playwright.sync_api import sync_playwright

    with RunningObservatory(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield server.url, browser
        finally:
            browser.close()


def open_as(chromium, email: str, lang: str):
    base, browser = chromium
    page = browser.new_context(locale=LOCALES[lang]).new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#attention")
    return base, page


def text(locator) -> str:
    return NBSP.sub(" ", locator.text_content())


def failed_alert(session, world) -> None:
    """An alert about bob's price change that the mail server kept refusing."""
    event = session.scalar(select(Event).where(Event.listing_id == world.seeded.bob_listing))
    session.add(AlertDelivery(event_id=event.id, recipient="bob@example.org", lang="fr", message_id="<m@vigie>",
                              status="failed", attempts=5, next_attempt_at=T0, created_at=T0,
                              last_error="550 mailbox unavailable"))


WORDS = {
    "fr": {"attention": "Demande votre attention", "removed": "Retirée", "delisted": "Annonce retirée",
           "price_change": "Prix modifié", "online": "En ligne", "y_label": re.compile(r"^\d+,\d\d €$"),
           "x_label": "mars", "undelivered": "1 alerte non remise"},
    "en": {"attention": "Needs your attention", "removed": "Removed", "delisted": "Listing removed",
           "price_change": "Price changed", "online": "Online", "y_label": re.compile(r"^€\d+\.\d\d$"),
           "x_label": "Mar", "undelivered": "1 alert not delivered"},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_seller_reads_what_is_wrong_first_then_words_and_a_scaled_chart(chromium, world, sessions, lang):
    with session_scope(sessions) as s:
        failed_alert(s, world)
    words = WORDS[lang]
    base, page = open_as(chromium, "alice@example.org", lang)
    assert page.locator("html").get_attribute("lang") == lang
    attention = page.locator("#attention table.attention")
    assert words["attention"] in page.locator("#attention h2").first.inner_text()
    assert "alice-shop lamp" in attention.inner_text() and words["removed"] in attention.inner_text()
    assert "bob" not in page.content()  # bob's failed alert is bob's business
    events = page.locator("table.events")
    assert words["delisted"] in events.inner_text() and words["price_change"] in events.inner_text()
    assert "price_change" not in events.inner_text()  # the code stays in attributes and exports, not in the text

    page.click("text=alice-shop lamp")
    y_labels = [text(t) for t in page.locator("#price-chart text.y-label").all()]
    assert len(y_labels) >= 4 and all(words["y_label"].match(label) for label in y_labels), y_labels
    amounts = [float(re.sub(r"[^\d]", "", label)) / 100 for label in y_labels]
    assert amounts == sorted(amounts) and amounts[-1] >= 24.90 and amounts[-1] <= 30  # close above the data
    x_labels = page.locator("#price-chart text.x-label").all_text_contents()
    assert len(x_labels) >= 3 and all(words["x_label"] in label for label in x_labels), x_labels
    marks = page.locator("#price-chart text.mark-label").all_text_contents()
    assert words["delisted"] in marks and words["price_change"] in marks
    assert words["online"] in page.locator("table.timeline").inner_text()

    page.goto(f"{base}/listings/{world.seeded.alice_listing}?a=1&b=2")
    diff = text(page.locator("table.diff"))
    assert ("24,90 €" if lang == "fr" else "€24.90") in diff and "Decimal" not in diff and "{'" not in diff
    page.screenshot(path=f"/tmp/vigie-test-seller-{lang}.png", full_page=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_investigator_sees_every_sellers_trouble_and_undelivered_alerts(chromium, world, sessions, lang):
    with session_scope(sessions) as s:
        failed_alert(s, world)
        bob = s.get(Listing, world.seeded.bob_listing)
        bob.last_checked_at = T0 + timedelta(days=5)
    words = WORDS[lang]
    base, page = open_as(chromium, "ivy@example.org", lang)
    rows = page.locator("#attention table.attention tr").all_inner_texts()
    assert rows[1].startswith("bob-shop lamp") and words["undelivered"] in rows[1]
    assert rows[2].startswith("alice-shop lamp") and words["removed"] in rows[2]
    page.goto(base + "/events")
    kinds = page.locator("select[name=kind] option").all_inner_texts()
    assert words["price_change"] in kinds and words["delisted"] in kinds
    page.select_option("select[name=kind]", "price_change")
    page.click("form.filters button")
    cells = page.locator("table.events td[data-kind]")
    assert cells.count() == 2 and set(cells.all_inner_texts()) == {words["price_change"] + (
        " (brutal)" if lang == "fr" else " (abrupt)"), words["price_change"]}
    page.goto(base + "/listings/abc")
    assert page.locator("h1").inner_text().startswith("422")
    assert ("« abc » n’est pas un numéro d’annonce" if lang == "fr" else "“abc” is not a listing number") \
        in page.locator("p.error").inner_text()
    page.screenshot(path=f"/tmp/vigie-test-investigator-{lang}.png", full_page=True)


def test_the_language_chosen_on_the_account_page_wins_over_the_browser(chromium, world):
    base, page = open_as(chromium, "alice@example.org", "fr")
    page.click("#account-link")
    page.select_option("form[action='/account/language'] select", "en")
    page.locator("form[action='/account/language'] button").click()
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Needs your attention" in page.locator("#attention").inner_text()


def test_the_register_form_picks_the_urls_marketplace(chromium, world):
    base, page = open_as(chromium, "alice@example.org", "en")
    page.goto(base + "/register")
    options = page.locator("select[name=marketplace] option").all_inner_texts()
    assert "Amazon" in options and "eBay" in options and "Cdiscount" in options
    page.fill("input[name=url]", "https://www.ebay.fr/itm/123456789012")
    page.locator("input[name=seller]").click()  # leaving the URL field
    assert page.locator("select[name=marketplace]").input_value() == "ebay"
    page.screenshot(path="/tmp/vigie-test-register.png", full_page=True)
