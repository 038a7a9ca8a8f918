"""Storefront alerts read right in both languages: the offer, its page, the dates and the P2B article."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.render import TEMPLATE_SETS, render
from store.models import Event, Listing

DETECTED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
SHOP_URL = "https://www.amazon.fr/s?me=A1B2C3D4"
OFFER = {"offer_id": "B0TASSE01", "title": "Tasse <émaillée>", "url": "https://www.amazon.fr/dp/B0TASSE01",
         "price": "19.90", "currency": "EUR"}
CASES = {
    "shop_offer_missing": ("in the storefront", "hidden", {**OFFER, "hidden": "true", "product_outcome": "listed",
                                                           "last_seen": "2025-03-12T08:00:00+00:00", "walks_missing": "2"}),
    "shop_offer_new": (None, "Tasse", {**OFFER, "listing_id": "12"}),
    "shop_gone": ("40 offers", "the storefront is gone", {"rule": "gone", "gone_since": "2025-03-13T09:00:00+00:00",
                                                          "notice_due_by": "2025-02-11", "notice_days": "30"}),
}
SAYS = {
    ("shop_offer_missing", "fr"): ["masquée", "Tasse <émaillée>", "https://www.amazon.fr/dp/B0TASSE01", "19,90\xa0€",
                                   "12 mars 2025", "article 4, paragraphe 1"],
    ("shop_offer_missing", "en"): ["hidden", "Tasse <émaillée>", "https://www.amazon.fr/dp/B0TASSE01", "€19.90",
                                   "12 March 2025", "Article 4(1)"],
    ("shop_offer_new", "fr"): ["nouvelle offre", "Désormais surveillée comme annonce : 12"],
    ("shop_offer_new", "en"): ["new offer", "Now watched as listing: 12"],
    ("shop_gone", "fr"): ["a disparu", "13 mars 2025", "11 février 2025", "30 jours", "article 4, paragraphe 2"],
    ("shop_gone", "en"): ["is gone", "13 March 2025", "11 February 2025", "30 days", "Article 4(2)"],
}


def shop() -> Listing:
    return Listing(id=3, kind="shop", url=SHOP_URL, canonical_url=SHOP_URL, marketplace="amazon",
                   seller="Atelier Dupont", label="Atelier Dupont")


def event(kind: str) -> Event:
    before, after, details = CASES[kind]
    return Event(id=17, listing_id=3, kind=kind, detected_at=DETECTED, before=before, after=after, details=details)


def test_every_storefront_kind_has_a_case():
    assert set(CASES) == {kind for kind, room in TEMPLATE_SETS.items() if room == "shop"}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_storefront_kind_says_what_where_and_when(kind, lang):
    email = render(event(kind), shop(), lang=lang)
    assert "\n" not in email.subject and email.subject.startswith("[Vigie] ")
    for word in SAYS[kind, lang]:
        assert word in email.text, word
    assert SHOP_URL in email.text and "2025-03-14T09:30:00Z" in email.text
    assert "<émaillée>" not in email.html and ("&lt;émaillée&gt;" in email.html or kind == "shop_gone")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_emptied_shop_is_said_so(lang):
    emptied = Event(id=1, listing_id=3, kind="shop_gone", detected_at=DETECTED, before="40 offers", after="x",
                    details={**CASES["shop_gone"][2], "rule": "emptied"})
    subject = render(emptied, shop(), lang=lang).subject
    assert ("n’affiche plus aucune offre" if lang == "fr" else "no longer shows any offer") in subject


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_subjects_differ_per_storefront_kind(lang):
    assert len({render(event(kind), shop(), lang=lang).subject for kind in CASES}) == len(CASES)
