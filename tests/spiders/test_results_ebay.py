"""eBay store and search pages: a real store page (trimmed, see tests/fixtures/results/ebay/PROVENANCE.tsv) with
expectations read off it by hand, and the search layouts' rules on pages written in eBay's markup."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from spiders.page import PageInput
from spiders.results import parser_for

FIXTURES = Path(__file__).parents[1] / "fixtures"
STORE_URL = "https://www.ebay.com.au/str/watchadoption?_pgn=1&_ipg=240"


def read(body: bytes | str, *, kind="search", url="https://www.ebay.fr/sch/i.html?_nkw=chaise", status=200):
    body = body.encode() if isinstance(body, str) else body
    return parser_for(kind, "ebay")(PageInput(url=url, body=body, status=status))


def store() -> bytes:
    return (FIXTURES / "results" / "ebay" / "store_watchadoption_au_trimmed.html").read_bytes()


def test_real_store_page_lists_its_items_in_order():
    page = read(store(), kind="shop", url=STORE_URL)
    assert page.complete, page.reasons
    assert [(i.id, i.position, i.sponsored, i.price, i.currency) for i in page.items] == [
        ("198224177286", 1, False, Decimal("199.00"), "AUD"),
        ("198060274522", 2, False, Decimal("139.00"), "AUD"),
        ("198272869787", 3, False, Decimal("399.00"), "AUD"),
    ]
    assert page.items[1].title == "Timex X Fortnite Victory Crown & Supply Llama Watch New Old Stock TW2W96600 NOS"
    assert page.items[0].url.startswith("https://www.ebay.com.au/itm/198224177286?itmmeta=")
    assert page.next_page is None  # the trimmed page kept no pagination


# -- search pages in eBay's classic markup (li.s-item); the label letters are shown or hidden by the page's CSS --
STYLE = "<style>.s-h{display:none}.s-v{display:inline}</style>"


def label(word: str, noise: str = "QZX") -> str:
    """eBay's obfuscated label: the word's letters shown, decoy letters hidden, interleaved."""
    spans = []
    for index, letter in enumerate(word):
        spans.append(f'<span class="s-v">{letter}</span>')
        spans.append(f'<span class="s-h">{noise[index % len(noise)]}</span>')
    return f'<span class="s-item__sep"><span role="text">{"".join(spans)}</span></span>'


def item(number: str, title: str, price: str, sep: str = "") -> str:
    return (f'<li class="s-item s-item__pl-on-bottom"><div class="s-item__wrapper clearfix"><div class="s-item__info">'
            f'<a class="s-item__link" href="https://www.ebay.fr/itm/{number}?hash=x"><div class="s-item__title">'
            f'<span role="heading" aria-level="3">{title}</span></div></a><div class="s-item__details">'
            f'<span class="s-item__price">{price}</span></div>{sep}</div></div></li>')


# an organic result's separator: decoy letters only, every one hidden
HIDDEN_ONLY = ('<span class="s-item__sep"><span role="text"><span class="s-h">S</span><span class="s-h">p</span>'
               '<span class="s-h">o</span></span></span>')
DUMMY = ('<li class="s-item"><a class="s-item__link" href="https://ebay.com/itm/123456"><div class="s-item__title">'
         '<span role="heading">Shop on eBay</span></div></a><span class="s-item__price">20,00 EUR</span></li>')


def classic_page(items: str, *, style: str = STYLE, extra: str = "") -> str:
    return (f'<html><head>{style}</head><body><h1 class="srp-controls__count-heading"><span class="BOLD">1 234'
            f'</span> résultats pour <span class="BOLD">chaise</span></h1><ul class="srp-results srp-list clearfix">'
            f'{items}</ul>{extra}<nav class="pagination"><a class="pagination__next icon-link" '
            f'href="https://www.ebay.fr/sch/i.html?_nkw=chaise&amp;_pgn=2">Suivant</a></nav></body></html>')


def test_classic_search_page_skips_the_dummy_and_keeps_paid_results_apart():
    body = classic_page(DUMMY + item("111111111111", "Chaise A", "1 299,00 EUR", label("Sponsorisé"))
                        + item("222222222222", "Nouvelle annonce Chaise B", "12,50 EUR", HIDDEN_ONLY)
                        + item("333333333333", "Chaise C", "8,00 EUR"))
    page = read(body)
    assert page.complete, page.reasons
    assert [(i.id, i.position, i.sponsored, i.price) for i in page.items] == [
        ("111111111111", None, True, Decimal("1299.00")),
        ("222222222222", 1, False, Decimal("12.50")),
        ("333333333333", 2, False, Decimal("8.00")),
    ]
    assert page.items[1].title == "Chaise B"
    assert page.total_results == 1234
    assert page.next_page == "https://www.ebay.fr/sch/i.html?_nkw=chaise&_pgn=2"


def test_a_label_that_cannot_be_decoded_leaves_a_search_page_incomplete_but_not_a_storefront():
    body = classic_page(item("111111111111", "Chaise A", "10,00 EUR", label("Sponsorisé")), style="")
    search = read(body)
    assert not search.complete and "paid placement or not cannot be told" in search.reasons[0]
    assert search.items == ()
    shop = read(body, kind="shop", url="https://www.ebay.fr/sch/i.html?_ssn=vendeur")
    assert shop.complete and [(i.id, i.position) for i in shop.items] == [("111111111111", 1)]


def test_results_matching_fewer_words_are_not_results():
    rewrite = ('<li class="srp-river-answer srp-river-answer--REWRITE_START"><h3>Résultats correspondant à moins '
               'de mots</h3></li>')
    body = classic_page(item("111111111111", "Chaise A", "10,00 EUR") + rewrite
                        + item("222222222222", "Table", "5 EUR"))
    assert [i.id for i in read(body).items] == ["111111111111"]


def test_no_exact_match_is_a_complete_empty_answer_even_with_fewer_word_results_below():
    rewrite = '<li class="srp-river-answer srp-river-answer--REWRITE_START">Moins de mots</li>'
    body = ('<html><body><h1 class="srp-controls__count-heading"><span class="BOLD">0</span> résultat pour '
            '<span class="BOLD">zzqx</span></h1><div class="srp-save-null-search"><h3 class="srp-save-null-search'
            '__heading">Aucune correspondance exacte trouvée</h3></div><ul class="srp-results">'
            f'{rewrite}{item("222222222222", "Table", "5 EUR")}</ul></body></html>')
    page = read(body)
    assert page.complete and page.items == () and page.total_results == 0


def test_an_empty_list_that_says_nothing_is_no_answer():
    page = read('<html><body><ul class="srp-results"><li class="s-item"></li></ul></body></html>')
    assert not page.complete and page.items == ()


def test_2025_card_layout():
    cards = ('<ul class="srp-results srp-list"><li class="s-card s-card--horizontal" data-listingid="123456">'
             '<a class="s-card__link" href="https://ebay.com/itm/123456"><div class="s-card__title"><span>Shop on eBay'
             '</span></div></a></li><li class="s-card s-card--horizontal" data-listingid="306123456789">'
             '<a class="s-card__link" href="https://www.ebay.com/itm/306123456789?_skw=x"><div class="s-card__title">'
             '<span>Chair</span></div></a><span class="s-card__price">$20.00</span></li>'
             '<li class="s-card" data-listingid="306999999999"><a class="s-card__link" '
             'href="https://www.ebay.com/itm/306999999999"><div class="s-card__title">Sofa</div></a>'
             '<span class="s-card__price">$45.50</span><div class="s-card__footer"><span>Sponsored</span></div>'
             '</li></ul>')
    page = read(f"<html><body>{cards}</body></html>", url="https://www.ebay.com/sch/i.html?_nkw=chair")
    assert page.complete
    assert [(i.id, i.position, i.sponsored, i.price, i.currency) for i in page.items] == [
        ("306123456789", 1, False, Decimal("20.00"), "USD"), ("306999999999", None, True, Decimal("45.50"), "USD")]


def test_2025_cards_as_divs_titled_by_their_link():
    def card(number, title, price):
        return (f'<div class="s-card s-card--horizontal"><div class="su-card-container__header"><a class="s-card__link"'
                f' href="https://www.ebay.com/itm/{number}?_skw=x"><span>{title}</span><span>Opens in a new window or'
                f' tab</span></a></div><span class="su-styled-text primary bold large-1 s-card__price">{price}</span>'
                f'</div>')
    cards = (card("000000000000", "Shop on eBay", "$20.00") + card("306111111111", "eMMC chip", "$13.50")
             + card("306222222222", "Variable listing", "to"))
    body = f"<html><body>{cards}</body></html>"
    page = read(body, url="https://www.ebay.com/sch/i.html?_nkw=emmc")
    assert page.complete
    assert [(i.id, i.position, i.title, i.price) for i in page.items] == [
        ("306111111111", 1, "eMMC chip", Decimal("13.50")), ("306222222222", 2, "Variable listing", None)]


def test_the_layout_holding_most_results_wins_over_a_carousel_in_another_markup():
    carousel = item("999999999999", "Vu récemment", "1,00 EUR")
    cards = "".join(f'<li class="s-card" data-listingid="30600000000{n}"><a class="s-card__link" '
                    f'href="https://www.ebay.fr/itm/30600000000{n}">Chaise {n}</a>'
                    f'<span class="s-card__price">{n},00 EUR</span></li>' for n in (1, 2))
    page = read(f'<html><body><ul class="srp-results">{cards}</ul><ul class="carousel">{carousel}</ul></body></html>')
    assert [i.id for i in page.items] == ["306000000001", "306000000002"]


@pytest.mark.parametrize("name", ["wall_pardon_our_interruption", "wall_captcha_200"])
@pytest.mark.parametrize("kind", ["shop", "search"])
def test_walls_are_no_answer(name, kind):
    page = read((FIXTURES / "ebay" / f"{name}.html").read_bytes(), kind=kind)
    assert not page.complete and page.items == () and page.reasons[0].startswith("blocked")


def test_the_security_measure_challenge_is_a_wall():
    body = "<html><head><title>Security Measure</title></head><body>Please verify yourself.</body></html>"
    page = read(body, kind="shop", url=STORE_URL)
    assert not page.complete and "Security Measure" in page.reasons[0]


@pytest.mark.parametrize("status", [403, 404, 500])
def test_http_errors_are_no_answer(status):
    page = read(store(), kind="shop", url=STORE_URL, status=status)
    assert not page.complete and page.items == ()


def test_an_item_page_is_an_unknown_layout():
    page = read((FIXTURES / "ebay" / "classic_paid_shipping_fr.html").read_bytes())
    assert not page.complete and page.items == ()
