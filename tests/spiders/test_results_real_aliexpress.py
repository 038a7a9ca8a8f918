"""A real AliExpress search page (tests/fixtures/results/aliexpress/PROVENANCE.tsv): four cards read in order, paid
cards told by their P4P link, and never a whole page: no count, no page end, a grid filled as one scrolls."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from spiders.page import PageInput
from spiders.results import parser_for

FIXTURES = Path(__file__).parents[1] / "fixtures"
KINDLE_BR = FIXTURES / "results" / "aliexpress" / "search_kindle_br_cards.html"
URL = "https://pt.aliexpress.com/w/wholesale-kindle-paperwhite.html"
# counted by hand in the HTML: the four a.search-card-item links, algo_exp_id ...-0 to -3, none with a P4P key;
# the price is the spans styled "currency-symbol:R$" (the struck R$1.199 / R$514,86 / R$454,73 are not)
EXPECTED = [
    ("1005008760568743", 1, False, Decimal("918"), "BRL"),
    ("1005008569852414", 2, False, Decimal("396.44"), "BRL"),
    ("1005008683959053", 3, False, Decimal("431.99"), "BRL"),
    ("1005012222110323", 4, False, Decimal("0.84"), "BRL"),
]


def read(body: bytes | str, url: str = URL, status: int = 200):
    body = body.encode() if isinstance(body, str) else body
    return parser_for("search", "aliexpress")(PageInput(url=url, body=body, status=status))


def test_the_real_cards_are_read_in_order_and_never_vouched_for():
    page = read(KINDLE_BR.read_bytes())
    assert [(i.id, i.position, i.sponsored, i.price, i.currency) for i in page.items] == EXPECTED
    assert page.items[0].title == 'Kindle Paperwhite 12ª Geração 2024 Amazon 7" 16GB 300 ppi Wi-Fi à Prova de Água ' \
                                  'Preto Metálico'
    assert page.items[1].url.startswith("https://pt.aliexpress.com/item/1005008569852414.html?algo_pvid=")
    assert not page.complete
    assert page.reasons == ("AliExpress cards read as rendered: no results count or page end is known to this "
                            "reader, so whether every result was rendered is not vouched for",)
    assert page.total_results is None and page.next_page is None


def test_a_card_whose_link_carries_the_p4p_keys_is_paid_and_keeps_no_position():
    # the real page with one edit: the second card's link gets the two keys AliExpress adds to a promoted card
    html = KINDLE_BR.read_text(encoding="utf-8")
    second = "x_object_id%3A1005008569852414%7C_p_origin_prod%3A"
    assert html.count(second) == 1
    paid = "&amp;aem_p4p_detail=202607311221131956&amp;search_p4p_id=202607311221131956_2"
    html = html.replace(second, second + paid)
    page = read(html)
    assert [(i.id, i.position, i.sponsored) for i in page.items] == [
        ("1005008760568743", 1, False), ("1005008569852414", None, True),
        ("1005008683959053", 2, False), ("1005012222110323", 3, False)]


def test_walls_cut_pages_and_unknown_layouts_are_no_answer():
    punish = read(b"<html><body>x</body></html>", url="https://pt.aliexpress.com/w/wholesale-kindle.html"
                                                    "/_____tmd_____/punish?x5secdata=abc")
    slider = read((FIXTURES / "aliexpress" / "blocked_slider_captcha.html").read_bytes())
    cut = read(KINDLE_BR.read_bytes()[:15000])  # the connection dropped inside the fourth card
    other = read("<!DOCTYPE html><html><body><div>unexpected layout, nothing here</div></body></html>")
    for page in (punish, slider, cut, other):
        assert not page.complete and page.items == (), page
    assert punish.reasons == ("blocked: AliExpress slider captcha (punish page)",)
    assert slider.reasons[0].startswith("blocked: AliExpress slider captcha")
    assert cut.reasons == ("the page stops before its end (no </html>): cut off",)
    assert other.reasons == ("unknown aliexpress search page layout: no results list found",)


def test_an_error_status_and_an_empty_grid_are_no_answer():
    assert read(KINDLE_BR.read_bytes(), status=503).reasons == ("http status 503",)
    # a grid without cards: AliExpress's own "no results" page is not known to this reader, so no answer
    empty = read("<html><body><div id='card-list'></div></body></html>")
    assert not empty.complete and empty.items == ()


def test_aliexpress_shops_stay_with_the_generic_reader():
    assert parser_for("shop", "aliexpress").__name__ == "read_shop_aliexpress"
    assert parser_for("search", "aliexpress").__module__ == "spiders.results_aliexpress"
