"""Cdiscount adapter: saved-page fixtures, product references and canonical URLs."""
from __future__ import annotations

import pytest

from spiders import cdiscount, registry
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("cdiscount"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cdiscount.com/electromenager/aspirateurs-nettoyeurs/dyson-v8-absolute/f-1101410-dys5025155031513.html",
        "https://www.cdiscount.com/electromenager/aspirateurs-nettoyeurs/dyson-v8-absolute/f-1101410-DYS5025155031513.html?idOffre=289799406#fpSellBy",
        "http://cdiscount.com/other-slug/f-1101410-dys5025155031513.html?cm_mmc=inf_facebook_like&cid=inf",
        "https://m.cdiscount.com/f-1101410-dys5025155031513.html",
    ],
)
def test_url_variants_are_one_listing(url):
    assert cdiscount.identify(url) == "dys5025155031513"
    assert cdiscount.canonicalize(url) == "https://www.cdiscount.com/f-1101410-dys5025155031513.html"


def test_urls_without_a_product_reference():
    assert cdiscount.identify("https://www.cdiscount.com/electromenager/v-110-0.html") is None
    assert cdiscount.identify("https://www.cdiscount.com/mpv-87961-idigital.html") is None
    assert cdiscount.identify("https://www.cdiscount.com/dp.aspx?sku=ABC123") == "abc123"


@pytest.mark.parametrize("host", ["www.cdiscount.com", "m.cdiscount.com", "cdiscount.fr"])
def test_registry_recognises_the_domain(host):
    assert registry.for_url(f"https://{host}/f-1-abc.html").name == "cdiscount"


def test_other_sellers_listed_in_offers():
    case = next(c.values[0] for c in load_cases("cdiscount") if c.id == "listed_marketplace_seller")
    observation = check_case(case)
    assert [offer.seller for offer in observation.offers] == ["idigital"]
