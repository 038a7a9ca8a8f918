from decimal import Decimal

import pytest

from spiders import registry
from spiders.rakuten import canonicalize, identify
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
