from decimal import Decimal

import pytest

from sandbox.catalog import Offer as SandboxOffer
from sandbox.catalog import Product as SandboxProduct
from sandbox.render import Renderer
from spiders import registry
from spiders.leboncoin import canonicalize, identify
from spiders.page import PageInput
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("leboncoin"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize("url, ad_id, canonical", [
    ("https://www.leboncoin.fr/ad/velos/2745612345", "2745612345", "https://www.leboncoin.fr/ad/velos/2745612345"),
    ("https://www.leboncoin.fr/ad/velos/2745612345?utm_source=share#photos", "2745612345",
     "https://www.leboncoin.fr/ad/velos/2745612345"),
    ("https://www.leboncoin.fr/velos/2745612345.htm", "2745612345", "https://www.leboncoin.fr/ad/velos/2745612345"),
    ("https://leboncoin.fr/ad/ventes_immobilieres/2745612345/", "2745612345",
     "https://www.leboncoin.fr/ad/ventes_immobilieres/2745612345"),
])
def test_identity(url, ad_id, canonical):
    assert identify(url) == ad_id
    assert canonicalize(url) == canonical
    assert registry.for_url(url).name == "leboncoin"


def test_search_pages_have_no_ad_id():
    assert identify("https://www.leboncoin.fr/recherche?text=velo") is None
    assert identify("https://www.leboncoin.fr/c/velos") is None


def test_needs_the_browser_for_escalation():
    assert registry.by_name("leboncoin").needs_browser is True


# -- the sandbox's leboncoin markup reads back -------------------------------------------------------------

SANDBOX_URL = {"ebay": "https://www.ebay.fr/itm/226612345678", "leboncoin": "https://www.leboncoin.fr/ad/velos/2745612345",
               "rakuten": "https://fr.shopping.rakuten.com/offer/buy/3820499960/"}["leboncoin"]


@pytest.mark.parametrize("state, fee, outcome", [
    ("listed", "0.00", "listed"), ("listed", "4.90", "listed"), ("out_of_stock", "4.90", "unavailable"),
])
def test_sandbox_page_reads_back(state, fee, outcome):
    product = SandboxProduct(id="p1", title="Vélo « Rockrider » & casque", price="1299.90", seller="Cycles Martin",
                             markup="leboncoin", state=state, shipping_fee=fee,
                             other_offers=(SandboxOffer(seller="Autre Boutique", price="1310.00", shipping_fee="5.00"),))
    body = Renderer().product_page(product)
    observation = registry.by_name("leboncoin").observe(PageInput(url=SANDBOX_URL, body=body, seller="Cycles Martin"))
    assert observation.outcome == outcome, observation.reasons
    assert observation.title == "Vélo « Rockrider » & casque"
    assert str(observation.price) in ("1299.90", "1299.9")
    assert observation.seller == "Cycles Martin"
    assert observation.shipping_fee == Decimal(fee)


def test_sandbox_offer_removed_is_offer_gone():
    product = SandboxProduct(id="p1", title="Vélo", price="450.00", seller="Cycles Martin", markup="leboncoin",
                             state="offer_removed")
    body = Renderer().product_page(product)
    observation = registry.by_name("leboncoin").observe(PageInput(url=SANDBOX_URL, body=body, seller="Cycles Martin"))
    assert observation.outcome == "offer_gone"
