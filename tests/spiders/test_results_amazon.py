"""Amazon search and storefront pages: real pages (trimmed, see tests/fixtures/results/amazon/PROVENANCE.tsv)
with expectations read off the pages by hand, and the paid-placement and count rules one by one."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from spiders.page import PageInput
from spiders.results import parser_for
from spiders.results_amazon import AmazonResults, SearchGrid, SearchResultCard, asin_in

REAL = Path(__file__).parents[1] / "fixtures" / "results" / "amazon"
STOREFRONT_URL = "https://www.amazon.com/s?me=A2DP2EEPU3VU45&marketplaceID=ATVPDKIKX0DER"
# what rejoiceinhope/amazon-page-parser's own test expects of the untrimmed page (tests/test_store_front_parser.py)
UPSTREAM_ASINS = ["B07Y4Z6LBD", "B07TYWF8K7", "B083KDYS6W", "B00VG1AHLE", "B083W9P5S1", "B07WPBVBDY",
                  "B07R3G7NZN", "B07SQXTJBR", "B07VKKLHS6", "B07ST8Z9PQ", "B07X8GLFLR", "B07WY5D2LQ",
                  "B07STBBGJW", "B07VRZT8BM", "B07PY6J9VH", "B07Z5L6WZX"]


def read(body: bytes | str, *, kind="search", url="https://www.amazon.fr/s?k=chaise", status=200):
    body = body.encode() if isinstance(body, str) else body
    return parser_for(kind, "amazon")(PageInput(url=url, body=body, status=status))


def storefront() -> bytes:
    return (REAL / "store_front_us_trimmed.html").read_bytes()


def test_real_storefront_page_lists_its_offers_in_order_with_the_count_and_the_next_page():
    page = read(storefront(), kind="shop", url=STOREFRONT_URL)
    assert page.complete, page.reasons
    assert [item.id for item in page.items] == UPSTREAM_ASINS
    assert [item.position for item in page.items] == list(range(1, 17))
    assert not any(item.sponsored for item in page.items)
    # prices read off the page by hand
    prices = {item.id: item.price for item in page.items}
    assert prices["B07Y4Z6LBD"] == Decimal("17.99") and prices["B07SQXTJBR"] == Decimal("30.99")
    assert prices["B07VKKLHS6"] == Decimal("18.99") and prices["B07ST8Z9PQ"] == Decimal("24.99")
    assert prices["B07WY5D2LQ"] == Decimal("22.99") and prices["B07PY6J9VH"] == Decimal("26.99")
    assert prices["B07X8GLFLR"] == prices["B07Z5L6WZX"] == Decimal("16.99")
    assert {item.currency for item in page.items} == {"USD"}
    assert page.items[7].title.startswith("Ear Wax Removal Kit, Ear Cleaner")
    assert page.items[9].title.endswith("8 pac with Tweezers")  # "&amp;" read as "&" inside
    assert page.items[15].url == ("https://www.amazon.com/Fungus-Repair-Restores-Healthy-Appearance/dp/B07Z5L6WZX/"
                                  "ref=sr_1_16?dchild=1&m=A2DP2EEPU3VU45&marketplaceID=ATVPDKIKX0DER&qid=1591913227"
                                  "&s=merchant-items&sr=1-16")
    # "1-16 of 28 results for PINPOXE-Store", and the page's own "Next →" (the one upstream's test expects too)
    assert page.total_results == 28
    assert page.next_page == ("https://www.amazon.com/s?i=merchant-items&me=A2DP2EEPU3VU45&page=2"
                              "&marketplaceID=ATVPDKIKX0DER&qid=1591913227&ref=sr_pg_1")


def test_the_same_page_read_as_a_search_page_gives_the_same_answer():
    shop = read(storefront(), kind="shop", url=STOREFRONT_URL)
    search = read(storefront(), kind="search", url=STOREFRONT_URL)
    assert search == shop


def real_sponsored_card() -> SearchResultCard:
    body = (REAL / "sponsored_item_fragment_us.html").read_bytes()
    reader = AmazonResults(PageInput(url="https://www.amazon.com/s?k=usb+hub&page=6", body=body))
    element = reader.tree.xpath("//div[@data-component-type='s-impression-counter']")[0]
    return SearchResultCard(element, SearchGrid(reader))


def test_real_sponsored_result_is_recognised_and_read_through_its_redirect_link():
    card = real_sponsored_card()
    assert card.sponsored() is True
    assert card.id() == "B081HQLMH4"  # no data-asin on the fragment: read from the /gp/slredirect/ link
    assert card.title().startswith("StarTech.com 4-Port USB C Hub")
    assert card.price_text() == "$71.05"


def test_a_sponsored_result_keeps_no_organic_position():
    """A page put together from real parts: the real paid result first, then the real storefront results."""
    sponsored = (REAL / "sponsored_item_fragment_us.html").read_text()
    wrapped = f'<div data-asin="B081HQLMH4" data-component-type="s-search-result">{sponsored}</div>'
    body = storefront().decode().replace('<div data-asin="B07Y4Z6LBD"', wrapped + '<div data-asin="B07Y4Z6LBD"', 1)
    page = read(body, url="https://www.amazon.com/s?k=usb+hub")
    assert page.complete
    assert [(i.id, i.position, i.sponsored) for i in page.items][:3] == [
        ("B081HQLMH4", None, True), ("B07Y4Z6LBD", 1, False), ("B07TYWF8K7", 2, False)]
    assert page.items[-1].position == 16


def card(inner: str, cls: str = "s-result-item s-asin") -> str:
    return (f'<div data-asin="B000000001" data-component-type="s-search-result" class="{cls}">{inner}'
            f'<h2><a href="/x/dp/B000000001"><span>Chaise pliante</span></a></h2></div>')


@pytest.mark.parametrize("markup", [
    card("", cls="s-result-item s-asin AdHolder sg-col"),
    card('<span class="puis-sponsored-label-text">Sponsorisé</span>'),
    card('<span class="a-color-secondary">Sponsorisé</span>'),
    card('<span class="a-color-secondary">Gesponsert</span>'),
    card('<a href="/sspa/click?ie=UTF8&amp;spc=x">img</a>'),
    card('<img class="s-image" alt="Sponsored Ad - Chaise pliante">'),
    '<div data-asin="B000000001" data-component-type="s-search-result"><h2 aria-label="Annonce sponsorisée – '
    'Chaise"><a href="/x/dp/B000000001">Chaise</a></h2></div>',
], ids=["AdHolder", "puis-label", "Sponsorisé", "Gesponsert", "sspa-link", "img-alt", "h2-aria-label-fr"])
def test_each_paid_placement_sign_is_recognised(markup):
    page = read(f'<html><body><div class="s-main-slot">{markup}</div></body></html>')
    assert [(i.sponsored, i.position) for i in page.items] == [(True, None)]


def test_a_title_that_mentions_sponsors_is_not_a_paid_placement():
    markup = ('<div data-asin="B000000002" data-component-type="s-search-result"><h2><a href="/x/dp/B000000002">'
              '<span>Bouchons sponsorisés par des musiciens</span></a></h2><span>Sponsored by nobody</span></div>')
    page = read(f'<html><body><div class="s-main-slot">{markup}</div></body></html>')
    assert [(i.id, i.sponsored, i.position) for i in page.items] == [("B000000002", False, 1)]


@pytest.mark.parametrize("bar, expected", [
    ("1-48 of over 2,000 results for <span>usb hub</span>", 2000),
    ("1-16 sur plus de 2\u202f000 résultats pour <span>chaise</span>", 2000),
    ("1-16 sur plus de 2 000 résultats pour « chaise »", 2000),
    ("1-48 von über 1.000 Ergebnissen oder Vorschlägen für", 1000),
    ("12 results for <span>ear wax</span>", 12),
    ("1-24 de más de 3.000 resultados para", 3000),
])
def test_results_count_in_each_language(bar, expected):
    body = (f'<html><body><span data-component-type="s-result-info-bar"><h1>{bar}</h1></span>'
            f'<div class="s-main-slot">{card("")}</div></body></html>')
    assert read(body).total_results == expected


def test_an_empty_page_is_complete_only_when_it_says_there_are_no_results():
    said = read('<html><body><div class="s-main-slot"><span>Aucun résultat pour « zzqx ».</span></div></body></html>')
    assert said.complete and said.items == () and said.total_results == 0
    silent = read('<html><body><div class="s-main-slot"></div></body></html>')
    assert not silent.complete and silent.items == ()
    assert "does not say" in silent.reasons[0]


def test_results_for_a_corrected_query_are_not_an_answer():
    banner = '<span cel_widget_id="MAIN-TOP_BANNER_MESSAGE">No results for chiase. Showing results for chaise.</span>'
    page = read(f'<html><body><div class="s-main-slot">{banner}{card("")}</div></body></html>')
    assert not page.complete and "another one" in page.reasons[-1]


def test_a_result_without_an_asin_makes_the_page_incomplete():
    markup = '<div data-asin="" data-component-type="s-search-result"><h2>Chaise</h2></div>' + card("")
    page = read(f'<html><body><div class="s-main-slot">{markup}</div></body></html>')
    assert not page.complete and "result 1 has no amazon id" in page.reasons


@pytest.mark.parametrize("name", ["blocked_image_captcha_fr", "blocked_continue_shopping_fr",
                                  "blocked_aws_waf_challenge_fr"])
@pytest.mark.parametrize("kind", ["shop", "search"])
def test_walls_are_no_answer(name, kind):
    body = (Path(__file__).parents[1] / "fixtures" / "amazon" / f"{name}.html").read_bytes()
    page = read(body, kind=kind)
    assert not page.complete and page.items == () and page.reasons[0].startswith("blocked")


@pytest.mark.parametrize("kind", ["shop", "search"])
def test_the_real_waf_challenge_served_to_a_search_is_no_answer(kind):
    page = read((REAL / "wall_aws_waf_on_search.html").read_bytes(), kind=kind, url="https://www.amazon.fr/s?k=pc")
    assert page == page.__class__(complete=False, reasons=("blocked: AWS WAF challenge",))


@pytest.mark.parametrize("status", [404, 429, 500, 503])
def test_http_errors_are_no_answer_even_with_results_in_the_body(status):
    page = read(storefront(), kind="shop", url=STOREFRONT_URL, status=status)
    assert not page.complete and page.items == () and page.reasons == (f"http status {status}",)


def test_the_dogs_of_amazon_error_page_is_no_answer():
    body = (Path(__file__).parents[1] / "fixtures" / "amazon" / "removed_dogs_page_200_fr.html").read_bytes()
    page = read(body)
    assert not page.complete and page.items == ()


def test_a_product_page_is_an_unknown_layout():
    body = (Path(__file__).parents[1] / "fixtures" / "amazon" / "backorder_in_stock_on_date_com.html").read_bytes()
    page = read(body, url="https://www.amazon.com/s?k=x")
    assert not page.complete and page.items == () and "unknown amazon search page layout" in page.reasons[0]


def test_asin_from_links():
    assert asin_in("/Some-Title/dp/B07SQXTJBR/ref=sr_1_8?dchild=1") == "B07SQXTJBR"
    assert asin_in("/gp/slredirect/picassoRedirect.html/ref=x?url=%2FT%2Fdp%2FB081HQLMH4%2Fref%3Dsr_1_82_sspa") \
        == "B081HQLMH4"
    assert asin_in("/s?k=chaise") is None
