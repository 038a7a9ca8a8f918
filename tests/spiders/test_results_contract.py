"""What every results page object promises, whatever the marketplace: a wall, an error, a product page or a
page of junk is never a complete answer, and an empty answer is complete only when the page says so."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spiders import registry
from spiders.page import PageInput
from spiders.results import KINDS, ResultItem, ResultsPage, parser_for, walk_positions
from tests.spiders.fixture_cases import load_cases

MARKETPLACES = registry.names()
NOT_RESULTS = ("blocked", "error")
PRODUCT_PAGES = ("listed", "unavailable", "offer_gone")  # ("gone" pages include redirects to real search pages)


def every_case():
    for name in MARKETPLACES:
        for param in load_cases(name):
            yield param.values[0]


CASES = list(every_case())


def test_every_marketplace_has_a_shop_and_a_search_reader():
    for name in MARKETPLACES:
        for kind in KINDS:
            assert callable(parser_for(kind, name))
    with pytest.raises(KeyError, match="no search page reader for 'nowhere'"):
        parser_for("search", "nowhere")


@pytest.mark.parametrize("case", [c for c in CASES if c.expected["outcome"] in NOT_RESULTS],
                         ids=lambda c: f"{c.marketplace}/{c.name}")
@pytest.mark.parametrize("kind", KINDS)
def test_walls_and_error_pages_are_no_answer(case, kind):
    page = parser_for(kind, case.marketplace)(case.page_input())
    assert not page.complete and page.items == (), page
    assert page.reasons


@pytest.mark.parametrize("case", [c for c in CASES if c.expected["outcome"] in PRODUCT_PAGES],
                         ids=lambda c: f"{c.marketplace}/{c.name}")
@pytest.mark.parametrize("kind", KINDS)
def test_a_product_page_is_never_a_complete_results_page(case, kind):
    page = parser_for(kind, case.marketplace)(case.page_input())
    assert not page.complete, page


WORDS = st.sampled_from(["chaise", "table", "prix", "12,50 €", "résultats", "Sponsorisé", "Suivant", "item", "dp"])
TAGS = st.sampled_from(["div", "span", "li", "a", "h2", "p", "section"])


@st.composite
def junk_pages(draw) -> str:
    """Pages with links and text but without any "no results" sentence."""
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(TAGS)
        href = draw(st.sampled_from(["", ' href="/x/dp/B0000000{}"', ' href="/itm/12345678901{}"',
                                     ' href="/f-1-abc{}.html"', ' href="/produit/{}"'])).format(draw(st.integers(0, 9)))
        attrs = href if tag == "a" else draw(st.sampled_from(["", ' class="s-item"', ' class="s-main-slot"',
                                                               ' data-component-type="s-search-result"']))
        parts.append(f"<{tag}{attrs}>{draw(WORDS)}</{tag}>")
    return f"<html><body>{''.join(parts)}</body></html>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=junk_pages(), name=st.sampled_from(MARKETPLACES), kind=st.sampled_from(KINDS),
       status=st.sampled_from([200, 200, 200, 403, 404, 429, 500, 503]))
def test_an_empty_answer_is_complete_only_when_the_page_says_there_are_no_results(page, name, kind, status):
    url = f"https://www.{registry.by_name(name).domains[0] if name != 'generic' else 'shop.example'}/s"
    read = parser_for(kind, name)(PageInput(url=url, body=page.encode(), status=status))
    if status >= 400:
        assert not read.complete and read.items == ()
    if read.complete:
        assert read.items, read  # no junk page says "no results": an empty complete answer is impossible here
        organic = [i.position for i in read.items if not i.sponsored]
        assert organic == list(range(1, len(organic) + 1))
        assert all(i.position is None for i in read.items if i.sponsored)


def test_walk_positions_number_organic_results_across_pages():
    one = ResultsPage(complete=True, items=(ResultItem("A", None, True), ResultItem("B", 1, False),
                                            ResultItem("C", 2, False)), next_page="https://x/2")
    two = ResultsPage(complete=True, items=(ResultItem("D", 1, False), ResultItem("E", None, True)))
    assert [(i.id, i.position) for i in walk_positions([one, two])] == [
        ("A", None), ("B", 1), ("C", 2), ("D", 3), ("E", None)]
