"""Amazon adapter: saved-page fixtures, identity of listings on every national site, sandbox markup."""
from __future__ import annotations

from decimal import Decimal

import pytest

from detector.model import Outcome
from sandbox.catalog import Offer, Product
from sandbox.render import Renderer
from spiders import registry
from spiders.amazon import MARKETPLACE, AmazonSpider, canonicalize, identify, pick_layout
from spiders.amazon_layouts import ClassicBuyBox, CorePriceBuyBox, seller_from_merchant_info
from spiders.amazon_page import DOMAINS
from spiders.page import PageInput
from tests.spiders.fixture_cases import load_cases, check_case


@pytest.mark.parametrize("case", load_cases("amazon"))
def test_fixture(case):
    check_case(case)


# -- identity --------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "https://www.amazon.fr/Igloohome-KeyBox/dp/B07G8CVQNK/ref=sr_1_1?keywords=x",
    "https://www.amazon.fr/gp/product/B07G8CVQNK",
    "https://amazon.fr/dp/B07G8CVQNK?th=1&psc=1",
    "https://www.amazon.fr/gp/aw/d/B07G8CVQNK/ref=mp_s_a_1",
    "https://www.amazon.fr/product/B07G8CVQNK",
    "https://www.amazon.fr/dp/b07g8cvqnk#customerReviews",
    "http://www.amazon.fr/exec/obidos/ASIN/B07G8CVQNK/",
])
def test_url_variants_are_one_listing(url):
    assert identify(url) == "B07G8CVQNK"
    assert canonicalize(url) == "https://www.amazon.fr/dp/B07G8CVQNK"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_national_domain(domain):
    url = f"https://www.{domain}/Some-Title/dp/0241401127/ref=x"
    assert identify(url) == "0241401127"
    assert canonicalize(url) == f"https://www.{domain}/dp/0241401127"
    assert MARKETPLACE.serves(url)


@pytest.mark.parametrize("domain", ["amazon.fr", "amazon.de", "amazon.co.uk", "amazon.com", "amazon.com.be",
                                    "amazon.co.jp", "amazon.com.mx", "amazon.com.tr", "amazon.in"])
def test_registry_recognises_the_domain(domain):
    assert registry.for_url(f"https://www.{domain}/dp/B07G8CVQNK").name == "amazon"


@pytest.mark.parametrize("url", [
    "https://www.amazon.fr/s?k=igloohome",
    "https://www.amazon.fr/",
    "https://www.amazon.fr/dp/SHORT",
    "https://www.notamazon.fr/dp/B07G8CVQNK",
    "https://www.amazon.fr.evil.example/dp/B07G8CVQNK",
])
def test_no_asin(url):
    assert identify(url) is None
    assert canonicalize(url) == url


def test_com_is_not_mistaken_for_com_be():
    assert canonicalize("https://www.amazon.com.be/dp/B07G8CVQNK") == "https://www.amazon.com.be/dp/B07G8CVQNK"
    assert canonicalize("https://smile.amazon.com/dp/B07G8CVQNK") == "https://www.amazon.com/dp/B07G8CVQNK"


def test_spider_and_politeness():
    assert AmazonSpider.name == "amazon" and AmazonSpider.marketplace is MARKETPLACE
    assert MARKETPLACE.concurrency == 2 and MARKETPLACE.delay == 2.0 and not MARKETPLACE.needs_browser


# -- pieces ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, seller", [
    ("Vendu par Igloohome France et expédié par Amazon.", "Igloohome France"),
    ("Expédié et vendu par Amazon.", "Amazon"),
    ("Ships from and sold by Amazon.com.", "Amazon.com"),
    ("Sold by Holiday Express and Fulfilled by Amazon.", "Holiday Express"),
    ("Dispatched from and sold by Amazon.", "Amazon"),
    ("Verkauf durch Werkzeug Profi GmbH und Versand durch Amazon.", "Werkzeug Profi GmbH"),
    ("Verkauf und Versand durch Amazon.", "Amazon"),
    ("Venduto e spedito da Amazon.", "Amazon"),
    ("Vendido por Tienda Sol y enviado por Amazon.", "Tienda Sol"),
    ("Some unrelated sentence", None),
])
def test_seller_from_merchant_info(text, seller):
    assert seller_from_merchant_info(text) == seller


def test_layout_switch():
    classic = load_one("listed_third_party_classic_fr")
    core = load_one("listed_paid_delivery_coreprice_fr")
    assert type(pick_layout(classic)) is ClassicBuyBox
    assert type(pick_layout(core)) is CorePriceBuyBox


def test_reasons_are_not_repeated():
    observation = MARKETPLACE.observe(load_one("listed_conditional_free_delivery_fr"))
    shipping = [r for r in observation.reasons if r.startswith("shipping_fee not found")]
    assert len(shipping) == 1


def test_listed_page_lists_main_and_other_offers():
    observation = MARKETPLACE.observe(load_one("listed_registered_seller_among_other_offers_fr"))
    assert [o.seller for o in observation.offers] == ["Autre Vendeur SARL", "Igloohome France"]
    assert observation.offers[1].price == Decimal("169.00")


def load_one(name: str) -> PageInput:
    case = next(p.values[0] for p in load_cases("amazon") if p.id == name)
    return case.page_input()


# -- sandbox markup -------------------------------------------------------------------------------
def sandbox_page(**fields) -> PageInput:
    product = Product(id="B0SANDBOX1", title="Boîte à clé « connectée » & code", price="1299", seller="Igloohome France",
                      shipping_fee="4.90", markup="amazon", **fields)
    body = Renderer().product_page(product)
    return PageInput(url="http://127.0.0.1:8000/p/B0SANDBOX1", body=body)


def test_sandbox_listed_page_reads_back():
    observation = MARKETPLACE.observe(sandbox_page(other_offers=(Offer("Vendeur Partenaire", Decimal("1350")),)))
    assert observation.outcome is Outcome.LISTED
    assert observation.title == "Boîte à clé « connectée » & code"
    assert (observation.price, observation.currency) == (Decimal("1299.00"), "EUR")
    assert observation.shipping_fee == Decimal("4.90")
    assert observation.seller == "Igloohome France"
    assert [o.seller for o in observation.offers] == ["Igloohome France", "Vendeur Partenaire"]


def test_sandbox_free_delivery_and_out_of_stock():
    free = Product(id="B0SANDBOX2", title="T", price="10", seller="S", shipping_fee="0", markup="amazon")
    assert MARKETPLACE.observe(PageInput(url="http://127.0.0.1/p/x", body=Renderer().product_page(free))
                               ).shipping_fee == Decimal("0.00")
    observation = MARKETPLACE.observe(sandbox_page(state="out_of_stock"))
    assert observation.outcome is Outcome.UNAVAILABLE and observation.price is None


def test_sandbox_offer_removed_is_offer_gone():
    page = sandbox_page(state="offer_removed")
    observation = MARKETPLACE.observe(PageInput(url=page.url, body=page.body, seller="Igloohome France"))
    assert observation.outcome is Outcome.OFFER_GONE


AVAILABILITY_PAGE = (
    '<html><head><link rel="canonical" href="https://www.amazon.{tld}/dp/B0TEST0001"></head><body><div id="dp">'
    '<span id="productTitle">Lampe</span><div id="availability"><span>{text}</span></div>{button}</div></body></html>'
)


@pytest.mark.parametrize("tld, text, button, outcome, word", [
    ("de", "Gewöhnlich versandfertig in 2 bis 3 Tagen.", "", "listed", "InStock"),
    ("de", "Derzeit nicht lieferbar.", "", "unavailable", "OutOfStock"),
    ("com", "This item will be released on March 3, 2027.", '<input id="buy-now-button">', "listed", "PreOrder"),
    ("it", "Generalmente spedito entro 3 giorni.", "", "listed", "InStock"),
    # a layout this adapter does not know: no button, no stock message — stock unknown, never "unavailable"
    ("fr", "", "", "listed", None),
])
def test_availability_messages_across_sites(tld, text, button, outcome, word):
    body = AVAILABILITY_PAGE.format(tld=tld, text=text, button=button).encode()
    observation = registry.by_name("amazon").observe(PageInput(url=f"https://www.amazon.{tld}/dp/B0TEST0001", body=body))
    assert (observation.outcome.value, observation.availability) == (outcome, word), observation.reasons
