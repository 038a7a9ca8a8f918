"""Alert emails read right in both languages, for every kind, and never carry live page markup."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.render import render
from detector.model import EventKind
from store.models import Event, Listing

DETECTED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)  # 10:30 in Paris (CET, UTC+01:00)
URL = "https://www.example.fr/produit/42?ref=a&b=1"

CASES = {
    "delisted": ("listed", "gone", {"confirmations": "2", "reasons": "http 404"}),
    "offer_gone": ("listed", "offer_gone", {"confirmations": "2"}),
    "unavailable": ("listed", "unavailable", {}),
    "restored": ("gone", "listed", {}),
    "price_change": ("24.99", "34.99", {"baseline": "25.00", "currency": "EUR", "change_pct": "+40.0", "rule": "relative>10%"}),
    "shipping_fee_change": ("0", "4.90", {"baseline": "0", "currency": "EUR", "change_pct": "+inf", "rule": "free_to_paid"}),
    "seller_change": ("Atelier & Co", "Grossiste Rapide", {}),
    "fee_schedule_change": ("Commission 8 %", "Commission 12 %", {}),
    "monitoring_blocked": (None, None, {"streak": "6", "outcome": "blocked"}),
}
SUBJECTS = {
    ("delisted", "fr"): "Votre annonce a été retirée",
    ("delisted", "en"): "Your listing was removed",
}
# what the before → after line must read, per kind and language
CHANGES = {
    ("delisted", "fr"): "en vente → retirée",
    ("delisted", "en"): "on sale → removed",
    ("offer_gone", "fr"): "en vente → offre absente",
    ("offer_gone", "en"): "on sale → offer missing",
    ("unavailable", "fr"): "en vente → indisponible",
    ("unavailable", "en"): "on sale → unavailable",
    ("restored", "fr"): "retirée → en vente",
    ("restored", "en"): "removed → on sale",
    ("price_change", "fr"): "24,99\xa0€ → 34,99\xa0€",
    ("price_change", "en"): "€24.99 → €34.99",
    ("shipping_fee_change", "fr"): "0,00\xa0€ → 4,90\xa0€",
    ("shipping_fee_change", "en"): "€0.00 → €4.90",
    ("seller_change", "fr"): "Atelier & Co → Grossiste Rapide",
    ("seller_change", "en"): "Atelier & Co → Grossiste Rapide",
    ("fee_schedule_change", "fr"): "Commission 12 %",
    ("fee_schedule_change", "en"): "Commission 12 %",
    ("monitoring_blocked", "fr"): "Lectures consécutives sans résultat : 6",
    ("monitoring_blocked", "en"): "Consecutive checks without a result: 6",
}


def listing(label: str = "Chaise en chêne") -> Listing:
    return Listing(id=3, url=URL, canonical_url=URL, marketplace="generic", seller="Atelier & Co", label=label)


def event(kind: str) -> Event:
    before, after, details = CASES[kind]
    return Event(id=17, listing_id=3, kind=kind, detected_at=DETECTED, before=before, after=after, details=details)


def test_every_event_kind_has_a_case():
    from alerts.render import TEMPLATE_SETS  # kinds with templates of their own are tested beside theirs

    assert set(CASES) | set(TEMPLATE_SETS) == {kind.value for kind in EventKind}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_says_what_where_when_and_how_it_changed(kind, lang):
    email = render(event(kind), listing(), lang=lang)
    assert "Chaise en chêne" in email.subject
    assert "\n" not in email.subject
    for body in (email.text, email.html):
        assert "Chaise en chêne" in body
        assert "2025-03-14T09:30:00Z" in body
        assert "Europe/Paris" in body
    assert URL in email.text
    assert 'href="https://www.example.fr/produit/42?ref=a&amp;b=1"' in email.html
    paris = "14 mars 2025 à 10:30:00 UTC+01:00" if lang == "fr" else "14 March 2025 at 10:30:00 GMT+01:00"
    assert paris in email.text
    assert CHANGES[kind, lang] in email.text
    value = CHANGES[kind, lang].split(": ")[-1]  # the HTML puts label and value in two cells
    assert value.replace("&", "&amp;") in email.html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_subjects_differ_per_kind_and_language(lang):
    subjects = {render(event(kind), listing(), lang=lang).subject for kind in CASES}
    assert len(subjects) == len(CASES)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_delisted_subject_in_plain_words(lang):
    assert SUBJECTS["delisted", lang] in render(event("delisted"), listing(), lang=lang).subject


def test_summer_time_is_shown_as_paris_summer_time():
    summer = Event(id=1, listing_id=3, kind="delisted", detected_at=datetime(2025, 7, 1, 12, 0, tzinfo=UTC),
                   before="listed", after="gone", details={})
    assert "1 juillet 2025 à 14:00:00 UTC+02:00" in render(summer, listing(), lang="fr").text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_price_change_shows_baseline_and_relative_change(lang):
    text = render(event("price_change"), listing(), lang=lang).text
    assert ("25,00\xa0€" if lang == "fr" else "€25.00") in text
    assert ("+40,0" if lang == "fr" else "+40.0%") in text


@pytest.mark.parametrize("lang,words", [("fr", "de gratuit à payant"), ("en", "from free to paid")])
def test_free_delivery_becoming_paid_is_said_so(lang, words):
    assert words in render(event("shipping_fee_change"), listing(), lang=lang).text


@pytest.mark.parametrize("kind", ["delisted", "offer_gone", "unavailable", "seller_change"])
@pytest.mark.parametrize("lang,article", [("fr", "article 4, paragraphe 1, du règlement (UE) 2019/1150"), ("en", "Article 4(1) of Regulation (EU) 2019/1150")])
def test_restrictions_cite_the_statement_of_reasons(kind, lang, article):
    email = render(event(kind), listing(), lang=lang)
    assert article in email.text
    assert ("espace vendeur" if lang == "fr" else "seller back-office") in email.text
    assert ("Conservez cet e-mail" if lang == "fr" else "Keep this email") in email.text


@pytest.mark.parametrize("lang,article", [("fr", "article 3, paragraphe 2"), ("en", "Article 3(2)")])
def test_fee_schedule_change_cites_fifteen_days_notice(lang, article):
    text = render(event("fee_schedule_change"), listing(), lang=lang).text
    assert article in text
    assert ("15 jours" if lang == "fr" else "15 days") in text


def test_page_content_is_escaped_in_html_and_kept_verbatim_in_text():
    hostile = Event(id=1, listing_id=3, kind="seller_change", detected_at=DETECTED,
                    before="Atelier", after='<img src=x onerror="alert(1)">', details={"reasons": "<b>bold</b>"})
    email = render(hostile, listing(label="<script>alert('x')</script> Chaise"), lang="fr")
    assert "<script>" not in email.html
    assert "<img" not in email.html
    assert "<b>bold" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "&lt;img src=x onerror=" in email.html
    assert "<script>alert('x')</script> Chaise" in email.text


def test_a_non_web_url_is_not_made_a_link():
    odd = Listing(id=3, url="javascript:alert(1)", canonical_url="x", marketplace="generic", label="Chaise")
    email = render(event("delisted"), odd, lang="en")
    assert 'href="javascript' not in email.html
    assert "javascript:alert(1)" in email.html


def test_unknown_language_falls_back_to_french():
    assert "Votre annonce a été retirée" in render(event("delisted"), listing(), lang="de").subject


def test_long_labels_are_shortened_in_the_subject_only():
    label = "Chaise " + "très " * 40 + "longue"
    email = render(event("delisted"), listing(label=label), lang="fr")
    assert email.subject.endswith("…")
    assert len(email.subject) < 140
    assert label in email.text
