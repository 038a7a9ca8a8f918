from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import html as lxml_html

from detector.model import Outcome
from spiders import schema_org, soft404
from spiders.generic import MARKETPLACE, GenericPage
from spiders.page import PageInput
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("generic"))
def test_fixture(case):
    check_case(case)


def observe(body: str, **kwargs):
    return MARKETPLACE.observe(PageInput(url=kwargs.pop("url", "https://shop.example.com/p/1"),
                                         body=body.encode(), **kwargs))


def jsonld(node: str) -> str:
    return f'<html><head><script type="application/ld+json">{node}</script></head><body></body></html>'


def data(body: str) -> schema_org.StructuredData:
    return schema_org.read(lxml_html.fromstring(body), base_url="https://shop.example.com/")


# -- schema_org ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, word", [
    ("https://schema.org/InStock", "InStock"),
    ("http://schema.org/OutOfStock", "OutOfStock"),
    ("schema:PreOrder", "PreOrder"),
    ("instock", "InStock"),
    ("in stock", "InStock"),
    ("out of stock", "OutOfStock"),
    ("oos", "OutOfStock"),
    ("BackOrder", "BackOrder"),
    ("https://schema.org/SoldOut", "SoldOut"),
    ({"@id": "x", "name": "http://schema.org/Discontinued"}, "Discontinued"),
    ("", None),
    (None, None),
])
def test_availability_is_normalised_to_the_bare_word(raw, word):
    assert schema_org.normalise_availability(raw) == word


def test_products_are_found_in_graph_and_main_entity_and_type_lists():
    body = jsonld('{"@graph": [{"@type": "WebPage", "mainEntity": {"@type": ["Thing", "http://schema.org/Product"],'
                  ' "name": "A"}}, {"@type": "Product", "name": "B"}]}')
    assert sorted(p["name"] for p in data(body).products()) == ["A", "B"]


def test_page_data_prefers_the_product_with_offers():
    body = jsonld('[{"@type": "Product", "name": "related"},'
                  ' {"@type": "Product", "name": "main", "offers": {"@type": "Offer", "price": "3"}}]')
    assert data(body).product()["name"] == "main"


def test_aggregate_offer_without_inner_offers_reads_low_price():
    offers = schema_org.offers({"@type": "Product", "offers": {"@type": "AggregateOffer", "lowPrice": 7.5,
                                                              "highPrice": 9, "priceCurrency": "eur"}})
    assert [schema_org.price(o) for o in offers] == [Decimal("7.5")]
    assert schema_org.currency(offers[0]) == "EUR"


def test_float_prices_keep_their_written_digits():
    assert schema_org.price({"price": 19.99}) == Decimal("19.99")
    assert schema_org.price({"price": "1 299,00 €"}, decimal_separator=",") == Decimal("1299.00")


def test_price_specification_skips_list_price():
    offer = {"priceSpecification": [{"priceType": "https://schema.org/StrikethroughPrice", "price": "30"},
                                    {"price": "25", "priceCurrency": "USD"}]}
    assert schema_org.price(offer) == Decimal("25")
    assert schema_org.currency(offer) == "USD"


@pytest.mark.parametrize("details, fee", [
    ({"shippingRate": {"value": "0", "currency": "EUR"}}, Decimal("0")),
    ([{"doesNotShip": True, "shippingRate": {"value": 99}}, {"shippingRate": {"value": 6.19}}], Decimal("6.19")),
    ({"shippingRate": [{"value": "3.50"}]}, Decimal("3.50")),
    ({"shippingRate": {"currency": "EUR"}}, None),
])
def test_shipping_fee(details, fee):
    assert schema_org.shipping_fee({"shippingDetails": details}) == fee


def test_seller_from_organization_person_or_text():
    assert schema_org.seller({"seller": {"@type": "Organization", "name": " Big  Shop "}}) == "Big Shop"
    assert schema_org.seller({"seller": "Plain"}) == "Plain"
    assert schema_org.seller({"offeredBy": [{"name": "First"}, {"name": "Second"}]}) == "First"
    assert schema_org.seller({"seller": {"@id": "#org"}}) is None


def test_only_broken_jsonld_is_not_an_error():
    assert data(jsonld('{"@type": "Product", "name": ')).products() == []


# -- judgement details -----------------------------------------------------------------------
PRODUCT = jsonld('{"@type": "Product", "name": "P", "offers": {"@type": "Offer", "price": "10", "priceCurrency": "EUR",'
                 ' "availability": "InStock", "seller": {"name": "Éditions Étoile"}}}')


@pytest.mark.parametrize("registered, outcome", [
    ("editions etoile", Outcome.LISTED),
    ("ÉDITIONS", Outcome.LISTED),
    ("Etoile", Outcome.OFFER_GONE),  # a prefix, not any substring
    ("Another", Outcome.OFFER_GONE),
])
def test_registered_seller_matches_case_and_accent_insensitive_prefix(registered, outcome):
    assert observe(PRODUCT, seller=registered).outcome == outcome


def test_page_naming_no_seller_is_not_offer_gone():
    body = jsonld('{"@type": "Product", "offers": {"@type": "Offer", "price": "10"}}')
    observation = observe(body, seller="Someone")
    assert observation.outcome == Outcome.LISTED
    assert "no seller shown on the page" in observation.reasons


def test_removal_words_on_a_product_page_are_not_gone():
    body = PRODUCT.replace("<body></body>", "<body><p>Page not found? This item is no longer available in blue.</p>"
                                            "<button>Add to cart</button></body>")
    assert observe(body).outcome == Outcome.LISTED


def test_renamed_slug_redirect_with_product_data_is_still_the_product():
    observation = observe(PRODUCT, requested_url="https://shop.example.com/p/old-name",
                          url="https://shop.example.com/catalogue/new-title")
    assert observation.outcome == Outcome.LISTED


def test_unavailable_words_with_a_buy_button_stay_listed():
    body = jsonld('{"@type": "Product", "offers": {"@type": "Offer", "price": "10"}}').replace(
        "<body></body>", "<body><p>Size M: out of stock</p><button id='add-to-cart-button'>Add</button></body>")
    assert observe(body).outcome == Outcome.LISTED


def test_structured_availability_wins_over_page_words():
    assert observe(PRODUCT.replace("<body></body>", "<body>Rupture de stock</body>")).outcome == Outcome.LISTED


def test_a_200_page_that_is_neither_product_nor_removal_is_an_error_never_gone():
    observation = observe("<html><body><h1>Welcome</h1></body></html>")
    assert observation.outcome == Outcome.ERROR
    assert observation.reasons == ("no product data",)


def test_offers_are_listed_with_their_availability():
    body = jsonld('{"@type": "Product", "offers": [{"@type": "Offer", "price": "5", "seller": "A",'
                  ' "availability": "OutOfStock"}, {"@type": "Offer", "price": "6", "seller": "B"}]}')
    observation = observe(body)
    assert [(o.seller, o.price, o.available) for o in observation.offers] == [
        ("A", Decimal("5"), False), ("B", Decimal("6"), None)]


def test_registered_sellers_own_offer_decides_availability():
    body = jsonld('{"@type": "Product", "offers": [{"@type": "Offer", "price": "5", "seller": "A",'
                  ' "availability": "InStock"}, {"@type": "Offer", "price": "6", "seller": "B",'
                  ' "availability": "OutOfStock"}]}')
    assert observe(body, seller="b").outcome == Outcome.UNAVAILABLE
    assert observe(body, seller="a").outcome == Outcome.LISTED


def test_latin1_page_declared_in_meta_is_read_correctly():
    body = ('<html><head><meta charset="iso-8859-1"><script type="application/ld+json">'
            '{"@type": "Product", "name": "Thé vert", "offers": {"price": "4"}}</script></head></html>')
    observation = MARKETPLACE.observe(PageInput(url="https://shop.example.com/p", body=body.encode("latin-1")))
    assert observation.title == "Thé vert"


def test_the_page_is_parsed_once(monkeypatch):
    import lxml.html

    calls = []
    real = lxml.html.fromstring
    monkeypatch.setattr(lxml.html, "fromstring", lambda *a, **k: calls.append(1) or real(*a, **k))
    page = GenericPage(PageInput(url="https://shop.example.com/p", body=PRODUCT.encode()))
    page.observe()
    page.title(), page.price(), page.visible.buy_control, page.visible_text
    assert len(calls) == 1


# -- soft404 helpers ---------------------------------------------------------------------------
def test_says_gone_folds_accents_apostrophes_and_takes_extra_words():
    assert soft404.says_gone("CETTE ANNONCE N’EST PLUS DISPONIBLE") is not None
    assert soft404.says_gone("Annonce désactivée") is not None
    assert soft404.says_gone("Artikel gelöscht", extra_words=["artikel geloscht"]) is not None
    assert soft404.says_gone("Lampe en laiton, 19,99 €") is None


@pytest.mark.parametrize("requested, final, gone", [
    ("https://s.example/p/lamp-12", "https://s.example/", True),
    ("https://s.example/p/lamp-12", "https://s.example/s?k=lamp", True),
    ("https://s.example/p/lamp-12", "https://s.example/search/lamp", True),
    ("https://s.example/p/lamp-12", "https://s.example/p/lamp-12?keywords=lamp", True),
    ("https://s.example/p/lamp-12", "https://s.example/c/lighting", True),
    ("http://s.example/p/lamp-12", "https://s.example/p/lamp-12/", False),
    ("https://s.example/p/lamp-12?utm_source=x", "https://s.example/p/lamp-12", False),
    ("https://s.example/p/lamp-12", "https://s.example/p/brass-lamp-12", False),
    ("https://s.example/p/lamp-12", None, False),
])
def test_redirect_gone(requested, final, gone):
    if final is None:
        requested, final = None, requested
    assert (soft404.redirect_gone(requested, final) is not None) is gone


def test_redirect_gone_takes_the_sites_own_search_path():
    assert soft404.redirect_gone("https://s.example/itm/12", "https://s.example/b/shoes-12",
                                 has_product=True, extra_search_paths=["/b"]) is not None


# -- walls -----------------------------------------------------------------------------------
PRODUCT_NODE = ('{"@context": "https://schema.org", "@type": "Product", "name": "Lampe", "offers": '
                '{"@type": "Offer", "price": "19.90", "priceCurrency": "EUR", "availability": "InStock"}}')
REVIEW_FORM = '<form id="review"><div class="g-recaptcha" data-sitekey="k"></div><button>Publier</button></form>'


def test_a_product_page_whose_review_form_has_a_captcha_is_listed_not_blocked():
    page = jsonld(PRODUCT_NODE).replace("<body></body>", f"<body>{REVIEW_FORM}</body>")
    observation = observe(page)
    assert observation.outcome is Outcome.LISTED and observation.price == Decimal("19.90")


def test_the_same_captcha_form_without_product_data_is_a_wall():
    page = f"<html><head><title>Vérification</title></head><body>{REVIEW_FORM}</body></html>"
    assert observe(page).outcome is Outcome.BLOCKED and observe(page).reasons == ("captcha form",)


def test_headers_still_announce_a_wall_on_a_page_with_product_data():
    observation = observe(jsonld(PRODUCT_NODE), headers={"cf-mitigated": "challenge"}, status=403)
    assert observation.outcome is Outcome.BLOCKED and observation.reasons == ("Cloudflare challenge",)


def test_the_page_object_and_the_escalation_check_share_one_parse():
    from crawler.escalation import client_rendered_shell

    page = PageInput(url="https://shop.example.com/p/1", body=b"<html><body><div id='app'></div>"
                                                            b"<script src='/app.js'></script></body></html>")
    reader = GenericPage(page)
    assert reader.observe().outcome is Outcome.ERROR  # no product data
    assert reader.tree is page.tree  # parsed once, kept on the page
    assert client_rendered_shell(page) == "empty #app mount node"


def test_text_the_crawler_already_decoded_is_used_as_is():
    page = PageInput(url="https://shop.example.com/p/1", body=b"<html>\xff</html>", encoding="utf-8",
                     decoded="<html><title>Lampe</title></html>")
    assert page.text == "<html><title>Lampe</title></html>" and GenericPage(page).page_title == "Lampe"
