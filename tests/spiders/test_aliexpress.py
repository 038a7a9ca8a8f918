"""AliExpress adapter: runParams fixtures, item identity on every country site, sandbox markup."""
from __future__ import annotations

from decimal import Decimal

import pytest

from detector.model import Outcome
from sandbox.catalog import Product
from sandbox.render import Renderer
from spiders import registry
from spiders.aliexpress import MARKETPLACE, AliExpressSpider, canonicalize, identify, pick_layout
from spiders.aliexpress_layouts import ComponentData, ModuleData
from spiders.aliexpress_page import run_params
from spiders.page import PageInput
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("aliexpress"))
def test_fixture(case):
    check_case(case)


SUBDOMAINS = ("www", "fr", "de", "es", "it", "pt", "nl", "pl", "he", "m")


@pytest.mark.parametrize("sub", SUBDOMAINS)
def test_every_country_site_is_one_item(sub):
    url = f"https://{sub}.aliexpress.com/item/1005006296391749.html?spm=a2g0o.productlist.0.0&algo_pvid=x#nav"
    assert identify(url) == "1005006296391749"
    assert canonicalize(url) == "https://www.aliexpress.com/item/1005006296391749.html"
    assert registry.for_url(url).name == "aliexpress"


@pytest.mark.parametrize("url, item", [
    ("https://www.aliexpress.us/item/3256805.html", "3256805"),
    ("https://fr.aliexpress.com/item/Some-Title-Words/32993251330.html", "32993251330"),
    ("https://aliexpress.com/i/32993251330.html", "32993251330"),
])
def test_url_variants(url, item):
    assert identify(url) == item
    assert canonicalize(url) == f"https://www.aliexpress.com/item/{item}.html"


def test_alibaba():
    url = "https://www.alibaba.com/product-detail/Smart-Lock-Bluetooth_1600123456789.html?spm=a27"
    assert identify(url) == "1600123456789"
    assert canonicalize(url) == "https://www.alibaba.com/product-detail/_1600123456789.html"
    assert registry.for_url(url).name == "aliexpress"


@pytest.mark.parametrize("url", [
    "https://fr.aliexpress.com/w/wholesale-serrure.html",
    "https://www.aliexpress.com/store/1392990",
    "https://www.example.com/item/1005006296391749.html",
])
def test_no_item(url):
    assert identify(url) is None
    assert canonicalize(url) == url


def test_spider_and_politeness():
    assert AliExpressSpider.name == "aliexpress" and AliExpressSpider.marketplace is MARKETPLACE
    assert MARKETPLACE.needs_browser and MARKETPLACE.concurrency == 2


# -- runParams -----------------------------------------------------------------------------------
def test_run_params_keeps_money_decimal_and_ignores_the_rest_of_the_script():
    text = ('<script>window.runParams = {\n data: {"priceModule": {"minAmount": {"value": 0.1}}},\n'
            " csrfToken: 'x', abtestMap: {}\n};</script>")
    data = run_params(text)
    assert data == {"priceModule": {"minAmount": {"value": Decimal("0.1")}}}


@pytest.mark.parametrize("text", [
    "<script>window.runParams = {};</script>",
    "<script>window.runParams = { data: {broken</script>",
    "<p>no script</p>",
])
def test_run_params_absent_or_broken(text):
    assert run_params(text) is None


def test_an_empty_run_params_before_the_real_one():
    text = 'window.runParams = {};\nwindow.runParams = {\n data: {"titleModule": {"subject": "T"}}\n};'
    assert run_params(text) == {"titleModule": {"subject": "T"}}


def test_layout_switch():
    cases = {p.id: p.values[0] for p in load_cases("aliexpress")}
    assert type(pick_layout(cases["listed_module_data_fr"].page_input())) is ModuleData
    assert type(pick_layout(cases["listed_component_data_paid_shipping"].page_input())) is ComponentData


# -- sandbox markup ---------------------------------------------------------------------------------
def render(**fields) -> PageInput:
    product = Product(id="1005001234567890", title='Serrure "connectée" </script> & code', price="1299.90",
                      seller="Igloo Official Store", shipping_fee="3.50", markup="aliexpress", **fields)
    return PageInput(url="http://127.0.0.1:8000/p/1005001234567890", body=Renderer().product_page(product))


def test_sandbox_page_reads_back():
    observation = MARKETPLACE.observe(render())
    assert observation.outcome is Outcome.LISTED
    assert observation.title == 'Serrure "connectée" </script> & code'
    assert (observation.price, observation.currency) == (Decimal("1299.90"), "EUR")
    assert observation.shipping_fee == Decimal("3.50")
    assert observation.seller == "Igloo Official Store"


def test_sandbox_out_of_stock_and_offer_removed():
    assert MARKETPLACE.observe(render(state="out_of_stock")).outcome is Outcome.UNAVAILABLE
    page = render(state="offer_removed")
    observation = MARKETPLACE.observe(PageInput(url=page.url, body=page.body, seller="Igloo Official Store"))
    assert observation.outcome is Outcome.OFFER_GONE
