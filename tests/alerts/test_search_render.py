"""Search watch alerts read right in both languages: the query, the product's page, since when, the P2B article;
and every kind of the search room has its case."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.render import TEMPLATE_SETS, render
from store.models import Event, Listing

DETECTED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
SEARCH_URL = "https://www.amazon.fr/s?k=tasse+%C3%A9maill%C3%A9e&language=fr_FR"
PRODUCT = {"query": "tasse <émaillée>", "listing_id": "4", "product_ref": "B0TASSE01",
           "product_url": "https://www.amazon.fr/dp/B0TASSE01", "product_label": "Tasse émaillée",
           "last_seen": "2025-03-12T08:00:00+00:00", "checks": "3", "pages": "2"}
CASES = {
    "search_dropped": ("#4", "absent", {**PRODUCT, "baseline_median": "4", "sponsored_only": "false"}),
    "not_indexed": ("indexed", "not found by its id", {**PRODUCT, "query": "B0TASSE01"}),
}
SAYS = {
    ("search_dropped", "fr"): ["n’apparaît plus dans la recherche « tasse <émaillée> » depuis le 12 mars 2025",
                               "alors que sa page est en ligne", "https://www.amazon.fr/dp/B0TASSE01", "position 4",
                               "article 4, paragraphe 1"],
    ("search_dropped", "en"): ["no longer appears in the search “tasse <émaillée>” since 12 March 2025",
                               "while its page is online", "position 4", "Art. 4(1)"],
    ("not_indexed", "fr"): ["« B0TASSE01 » ne trouve plus votre offre depuis le 12 mars 2025", "en ligne"],
    ("not_indexed", "en"): ["“B0TASSE01” no longer finds your offer since 12 March 2025", "online"],
}


def watch() -> Listing:
    return Listing(id=9, kind="search", url=SEARCH_URL, canonical_url=SEARCH_URL, marketplace="amazon",
                   label="« tasse » — Tasse émaillée")


def event(kind: str, **details) -> Event:
    before, after, found = CASES[kind]
    return Event(id=21, listing_id=9, kind=kind, detected_at=DETECTED, before=before, after=after,
                 details={**found, **details})


def test_every_search_kind_has_a_case():
    assert set(CASES) == {kind for kind, room in TEMPLATE_SETS.items() if room == "search"}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_search_kind_says_what_where_and_when(kind, lang):
    email = render(event(kind), watch(), lang=lang)
    assert "\n" not in email.subject and email.subject.startswith("[Vigie] ") and "Tasse émaillée" in email.subject
    for word in SAYS[kind, lang]:
        assert word in email.text, word
    assert "2025-03-14T09:30:00Z" in email.text
    assert "<émaillée>" not in email.html and ("&lt;émaillée&gt;" in email.html or kind == "not_indexed")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_sunk_rank_is_not_said_absent(lang):
    sunk = render(event("search_dropped", baseline_median="4"), watch(), lang=lang)
    assert "#4" not in sunk.text
    moved = Event(id=2, listing_id=9, kind="search_dropped", detected_at=DETECTED, before="#4", after="#31",
                  details={**CASES["search_dropped"][2]})
    text = render(moved, watch(), lang=lang).text
    assert "#31" in text and ("a reculé" in text if lang == "fr" else "sank" in text)
