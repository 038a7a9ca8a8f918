from decimal import Decimal

import pytest

from sandbox.catalog import Offer as SandboxOffer
from sandbox.catalog import Product as SandboxProduct
from sandbox.render import Renderer
from spiders import registry
from spiders.rakuten import canonicalize, identify
from spiders.page import PageInput
from tests.spiders.fixture_cases import check_case, load_cases, observe


@pytest.mark.parametrize("case", load_cases("rakuten"))
def test_fixture(case):
    check_case(case)


def _case(name):
    (param,) = [p for p in load_cases("rakuten") if p.id == name]
    return param.values[0]


def test_every_offer_on_the_page_is_listed_once():
    offers = observe(_case("buybox_pro_free_shipping")).offers
    assert [o.seller for o in offers] == ["CoolTechFR", "Importshop", "bidule75", "Reseller-Hidden"]
    used = next(o for o in offers if o.seller == "bidule75")
    assert (used.price, used.shipping_fee) == (Decimal("650.00"), Decimal("9.90"))


def test_latin1_page_is_decoded_from_its_meta_charset():
    assert "Téléphone débloqué" in observe(_case("buybox_pro_free_shipping")).title


@pytest.mark.parametrize("url, product", [
    ("https://fr.shopping.rakuten.com/offer/buy/3820499960/sony-xperia-1-blanc.html", "3820499960"),
    ("https://fr.shopping.rakuten.com/offer/buy/3820499960/", "3820499960"),
    ("https://fr.shopping.rakuten.com/offer/buy/3820499960?sellerLogin=x#reviews", "3820499960"),
    ("https://fr.shopping.rakuten.com/mfp/3820499960/sony-xperia-1", "3820499960"),
    ("https://www.rakuten.fr/offer/buy/3820499960/sony.html", "3820499960"),
    ("https://www.priceminister.com/offer/buy/180518/Jackson-Michael-History-CD-Album.html", "180518"),
])
def test_identity(url, product):
    assert identify(url) == product
    assert canonicalize(url) == f"https://fr.shopping.rakuten.com/offer/buy/{product}/"
    assert registry.for_url(url).name == "rakuten"


def test_search_pages_have_no_product_id():
    assert identify("https://fr.shopping.rakuten.com/search/sony") is None


# -- the sandbox's rakuten markup reads back -------------------------------------------------------------

SANDBOX_URL = {"ebay": "https://www.ebay.fr/itm/226612345678", "leboncoin": "https://www.leboncoin.fr/ad/velos/2745612345",
               "rakuten": "https://fr.shopping.rakuten.com/offer/buy/3820499960/"}["rakuten"]


@pytest.mark.parametrize("state, fee, outcome", [
    ("listed", "0.00", "listed"), ("listed", "4.90", "listed"), ("out_of_stock", "4.90", "unavailable"),
])
def test_sandbox_page_reads_back(state, fee, outcome):
    product = SandboxProduct(id="p1", title="Vélo « Rockrider » & casque", price="1299.90", seller="Cycles Martin",
                             markup="rakuten", state=state, shipping_fee=fee,
                             other_offers=(SandboxOffer(seller="Autre Boutique", price="1310.00", shipping_fee="5.00"),))
    body = Renderer().product_page(product)
    observation = registry.by_name("rakuten").observe(PageInput(url=SANDBOX_URL, body=body, seller="Cycles Martin"))
    assert observation.outcome == outcome, observation.reasons
    assert observation.title == "Vélo « Rockrider » & casque"
    assert str(observation.price) in ("1299.90", "1299.9")
    assert observation.seller == "Cycles Martin"
    assert observation.shipping_fee == Decimal(fee)


def test_sandbox_offer_removed_is_offer_gone():
    product = SandboxProduct(id="p1", title="Vélo", price="450.00", seller="Cycles Martin", markup="rakuten",
                             state="offer_removed")
    body = Renderer().product_page(product)
    observation = registry.by_name("rakuten").observe(PageInput(url=SANDBOX_URL, body=body, seller="Cycles Martin"))
    assert observation.outcome == "offer_gone"
