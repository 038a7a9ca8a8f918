"""La Redoute adapter: saved-page fixtures, product ids and canonical URLs on every national site."""
from __future__ import annotations

import pytest

from spiders import laredoute, registry
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("laredoute"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.laredoute.fr/ppdp/prod-500787340.aspx", "https://www.laredoute.fr/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.fr/ppdp/prod-500787340.aspx?dim1=1000&docid=01#pdpReviews", "https://www.laredoute.fr/ppdp/prod-500787340.aspx"),
        ("http://m.laredoute.fr/ppdp/prod-500787340.aspx", "https://www.laredoute.fr/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.com/ppdp/prod-500787340.aspx", "https://www.laredoute.com/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.be/NL/ppdp/prod-500787340.aspx", "https://www.laredoute.be/nl/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.ch/fr/ppdp/prod-500787340.aspx", "https://www.laredoute.ch/fr/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.es/ppdp/prod-500787340.aspx", "https://www.laredoute.es/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.it/ppdp/prod-500787340.aspx", "https://www.laredoute.it/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.co.uk/ppdp/prod-500787340.aspx", "https://www.laredoute.co.uk/ppdp/prod-500787340.aspx"),
        ("https://www.laredoute.pt/ppdp/prod-500787340.aspx", "https://www.laredoute.pt/ppdp/prod-500787340.aspx"),
    ],
)
def test_url_variants(url, canonical):
    assert laredoute.identify(url) == "500787340"
    assert laredoute.canonicalize(url) == canonical


def test_category_pages_have_no_product_id():
    assert laredoute.identify("https://www.laredoute.fr/pplp/100/157877/cat-157884.aspx") is None


@pytest.mark.parametrize("tld", laredoute.TLDS)
def test_registry_recognises_the_domain(tld):
    assert registry.for_url(f"https://www.laredoute.{tld}/ppdp/prod-1.aspx").name == "laredoute"


def test_offers_carry_each_vendor_with_its_delivery_fee():
    case = next(c.values[0] for c in load_cases("laredoute") if c.id == "listed_marketplace_seller_relay_fee")
    (offer,) = check_case(case).offers
    assert (offer.seller, str(offer.price), str(offer.shipping_fee)) == ("1001 Kdo", "2.40", "3.90")
