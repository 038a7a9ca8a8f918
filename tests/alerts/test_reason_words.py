"""A seller reads why in their own language, and the marketplace by the name they know; the checker's own
reasons stay in the store (the API, the exports) and in the log."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from alerts.catcher import SmtpCatcher
from alerts.channel_messages import chat_message
from alerts.outbox import enqueue
from alerts.reasons import human_reasons, marketplace_name
from alerts.render import Templates, render
from alerts.sender import deliver_pending
from alerts.transport import transport_from_url
from store.db import session_scope
from store.models import Event, Listing
from tests.alerts.rows import T0, add_event, make_world
from tests.alerts.test_render import event, listing

# what a French seller was sent before (issue 25)
RAW = "http status 404; browser re-fetch: static fetch says gone: confirm it in a browser"
JARGON = ("http status", "browser re-fetch", "static fetch", "confirm it in a browser", "generic")


def delisted(reasons: str) -> Event:
    found = event("delisted")
    found.details = {"confirmations": "2", "reasons": reasons}
    return found


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "Constat : La page répond « introuvable » (erreur HTTP 404) ; constat confirmé en ouvrant la page "
           "dans un navigateur."),
    ("en", "Finding: The page answers “not found” (HTTP error 404); confirmed by opening the page in a browser."),
])
def test_the_checkers_reasons_read_as_sentences_in_the_emails_language(lang, said):
    email = render(delisted(RAW), listing(), lang=lang)
    assert said in email.text
    for word in JARGON:
        assert word not in email.text
        assert word not in email.html


@pytest.mark.parametrize(("raw", "fr", "en"), [
    ("seller 'Atelier & Co' not among the offers", "le vendeur « Atelier & Co » ne figure plus parmi les offres",
     "the seller “Atelier & Co” is no longer among the page's offers"),
    ("page says 'page introuvable'", "la page indique « page introuvable »", "the page says “page introuvable”"),
    ("redirected to a search page (https://www.amazon.fr/s?k=chaise)", "renvoie vers une page de recherche",
     "now leads to a search page"),
    ("redirected to the home page (https://shop.example/)", "renvoie vers la page d’accueil", "leads to the home page"),
    ("ended listing: Cette annonce est terminée", "la page indique « Cette annonce est terminée »",
     "the page says “Cette annonce est terminée”"),
    ("DataDome captcha", "protection anti-robots", "anti-bot protection"),
    ("http status 503", "en erreur (HTTP 503)", "failing (HTTP 503)"),
])
def test_each_known_reason_has_words_in_both_languages(raw, fr, en):
    assert fr in " ".join(human_reasons(raw, "fr"))
    assert en in " ".join(human_reasons(raw, "en"))


def test_plumbing_and_unknown_reasons_are_left_out_never_shown_raw():
    raw = "price not found; shipping fee not found: '-5' is negative; some future reason; static page has no data"
    assert human_reasons(raw, "fr") == []
    email = render(delisted(raw), listing(), lang="fr")
    assert "Constat :" not in email.text
    assert "price not found" not in email.html
    # a browser confirmation of nothing that was said is not said either
    assert human_reasons("browser re-fetch: static fetch says gone: confirm it in a browser", "en") == []


@pytest.mark.parametrize(("marketplace", "url", "name"), [
    ("amazon", "https://www.amazon.fr/dp/B000000001", "Amazon.fr"),
    ("amazon", "https://www.amazon.co.uk/dp/B000000001", "Amazon.co.uk"),
    ("ebay", "https://www.ebay.de/itm/123456789012", "eBay.de"),
    ("fnac", "https://www.darty.com/nav/codic/123", "Darty.com"),
    ("generic", "https://www.atelier-chene.fr/produit/42", "atelier-chene.fr"),
    ("generic", "https://boutique.example.org/p/1", "boutique.example.org"),
    ("generic", "file:///tmp/page.html", "generic"),
])
def test_the_marketplace_is_named_as_people_know_it(marketplace, url, name):
    assert marketplace_name(marketplace, url) == name


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_amazon_email_says_amazon_fr_and_a_shop_its_host(lang):
    label = "Place de marché : " if lang == "fr" else "Marketplace: "
    shop = render(delisted(RAW), listing(), lang=lang)
    assert f"{label}example.fr\n" in shop.text
    amazon = Listing(id=3, url="https://www.amazon.fr/dp/B000000001", canonical_url="https://www.amazon.fr/dp/B000000001",
                     marketplace="amazon", seller="Atelier & Co", label="Chaise")
    email = render(delisted(RAW), amazon, lang=lang)
    assert f"{label}Amazon.fr\n" in email.text
    assert "<td>Amazon.fr</td>" in email.html


def test_a_sent_email_says_it_in_words_and_the_log_and_store_keep_the_raw_reasons(sessions, tmp_path, caplog):
    world = make_world(sessions, account_emails=("owner@example.com",))
    event_id = add_event(sessions, world.listing_id, details={"confirmations": "2", "reasons": RAW})
    with session_scope(sessions) as session:
        session.execute(update(Listing).where(Listing.id == world.listing_id)
                        .values(url="https://www.amazon.fr/dp/B000000001", marketplace="amazon"))
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="fr")
    caplog.set_level(logging.INFO, logger="alerts.sender")
    with SmtpCatcher() as catcher:
        transport = transport_from_url(catcher.url, outbox_dir=tmp_path / "unused")
        assert deliver_pending(sessions, transport, now=T0, mail_from="Vigie <vigie@example.org>").sent == 1
        [message] = catcher.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    assert "Place de marché : Amazon.fr" in text
    assert "La page répond « introuvable » (erreur HTTP 404)" in text
    assert "http status" not in text and "static fetch" not in text
    assert RAW in caplog.text
    with session_scope(sessions) as session:
        assert session.scalar(select(Event.details).where(Event.id == event_id))["reasons"] == RAW


@pytest.mark.parametrize(("lang", "lines"), [
    ("fr", ["en vente → retirée",
            "Constat : La page répond « introuvable » (erreur HTTP 404) ; constat confirmé en ouvrant la page dans "
            "un navigateur.", "example.fr — https://vigie.example/listings/3"]),
    ("en", ["on sale → removed",
            "Finding: The page answers “not found” (HTTP error 404); confirmed by opening the page in a browser.",
            "example.fr — https://vigie.example/listings/3"]),
])
def test_a_chat_message_says_it_in_words_too(lang, lines):
    message = chat_message(delisted(RAW), listing(), lang=lang, public_url="https://vigie.example",
                           environment=Templates())
    assert message.body.split("\n") == lines
