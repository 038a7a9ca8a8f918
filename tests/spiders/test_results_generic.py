"""The generic results reader (Cdiscount, Rakuten, Fnac, ManoMano, La Redoute, Conforama, Leboncoin, AliExpress,
any shop): it reads what a page lists but vouches for a page only when the page itself vouches for its list."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from spiders.page import PageInput
from spiders.results import parser_for

SEARCH_URL = "https://www.cdiscount.com/search/10/chaise.html"


def read(body: str, *, kind="search", marketplace="cdiscount", url=SEARCH_URL, status=200):
    return parser_for(kind, marketplace)(PageInput(url=url, body=body.encode(), status=status))


def item_list(elements: list[dict], **extra) -> str:
    data = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": elements, **extra}
    return f'<html><body><script type="application/ld+json">{json.dumps(data)}</script></body></html>'


ELEMENTS = [
    {"@type": "ListItem", "position": 2, "url": "https://www.cdiscount.com/maison/f-1170101-abc123.html"},
    {"@type": "ListItem", "position": 1, "item": {
        "@type": "Product", "name": "Chaise pliante", "url": "https://www.cdiscount.com/maison/f-1170101-def456.html",
        "offers": {"@type": "Offer", "price": "19.90", "priceCurrency": "EUR"}}},
]


def test_an_item_list_is_read_in_its_own_order_with_machine_prices():
    page = read(item_list(ELEMENTS))
    assert [(i.id, i.position, i.sponsored, i.price, i.currency) for i in page.items] == [
        ("def456", 1, False, Decimal("19.90"), "EUR"), ("abc123", 2, False, None, None)]


def test_a_search_item_list_is_never_vouched_for():
    page = read(item_list(ELEMENTS, numberOfItems=2))
    assert not page.complete and "schema.org list only" in page.reasons[0]


def test_a_storefront_list_is_complete_only_when_it_counts_exactly_what_it_lists():
    assert read(item_list(ELEMENTS, numberOfItems=2), kind="shop").complete
    assert not read(item_list(ELEMENTS, numberOfItems=40), kind="shop").complete
    assert not read(item_list(ELEMENTS), kind="shop").complete


def test_an_offer_catalog_inside_a_store_node():
    data = {"@context": "https://schema.org", "@type": "Store", "name": "Boutique",
            "hasOfferCatalog": {"@type": "OfferCatalog", "numberOfItems": 1, "itemListElement": [
                {"@type": "Offer", "url": "https://fr.shopping.rakuten.com/offer/buy/7123456789/chaise.html",
                 "price": 12, "priceCurrency": "EUR", "name": "Chaise"}]}}
    body = f'<html><body><script type="application/ld+json">{json.dumps(data)}</script></body></html>'
    page = read(body, kind="shop", marketplace="rakuten", url="https://fr.shopping.rakuten.com/boutique/x")
    assert page.complete, page.reasons
    assert [(i.id, i.price) for i in page.items] == [("7123456789", Decimal("12"))]


def test_product_links_are_read_in_page_order_once_each_and_never_vouched_for():
    body = ('<html><body><a href="/maison/f-1170101-def456.html"><img></a><a href="/maison/f-1170101-def456.html">'
            'Chaise</a><a href="/aide.html">Aide</a><a href="/maison/f-1170101-abc123.html">Table</a></body></html>')
    page = read(body)
    assert [(i.id, i.position) for i in page.items] == [("def456", 1), ("abc123", 2)]
    assert not page.complete and "product links only" in page.reasons[0]


@pytest.mark.parametrize("text", ["Aucun résultat pour « zzqx »", "Désolé, nous n'avons pas trouvé de produits",
                                  "0 résultat"])
def test_a_page_that_says_no_results_is_a_complete_empty_answer(text):
    page = read(f"<html><body><h1>{text}</h1></body></html>")
    assert page.complete and page.items == ()


@pytest.mark.parametrize("hidden", ["<template><p>Aucun résultat</p></template>",
                                    '<div style="display: none">Aucun résultat</div>',
                                    '<div hidden>Aucun résultat</div>',
                                    '<script>var empty = "Aucun résultat";</script>'])
def test_a_hidden_no_results_message_is_not_believed(hidden):
    page = read(f"<html><body>{hidden}<div id='app'></div></body></html>")
    assert not page.complete and page.items == ()


def test_the_generic_marketplace_knows_no_product_links():
    body = '<html><body><a href="https://shop.example/p/1">Chaise</a></body></html>'
    page = read(body, marketplace="generic", url="https://shop.example/search?q=chaise")
    assert not page.complete and page.items == ()


def test_a_marketplace_wall_rule_applies():
    page = read("<html><body>x</body></html>", marketplace="aliexpress",
                url="https://fr.aliexpress.com/w/wholesale-chaise.html/_____tmd_____/punish?x5secdata=a")
    assert not page.complete and page.reasons[0].startswith("blocked")


def test_shown_text_leaves_out_what_the_markup_hides():
    import lxml.html

    from spiders.results_page import shown_text
    html = ("<body><p>a<!-- c -->b<b hidden>x</b>c</p><div style='display: none'>y<!-- q -->w</div>d<script>z</script>"
            "e<template>t</template><span aria-hidden='true'>h</span>f</body>")
    assert shown_text(lxml.html.fromstring(html)) == "a b c d e f"
