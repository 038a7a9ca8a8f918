"""Fnac Darty adapter: saved-page fixtures, article numbers and canonical URLs."""
from __future__ import annotations

import pytest

from spiders import fnac, registry
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("fnac"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.fnac.com/a15052046/Some-Title", "https://www.fnac.com/a15052046"),
        ("https://www.fnac.com/Some-Title/a15052046/w-4?oref=abc#fa", "https://www.fnac.com/a15052046"),
        ("https://m.fnac.com/a15052046", "https://www.fnac.com/a15052046"),
        ("http://fnac.com/A15052046/x", "https://www.fnac.com/a15052046"),
        ("https://fr.fnac.be/a15052046/x", "https://www.fnac.be/a15052046"),
        ("https://www.fnac.ch/a15052046/x", "https://www.fnac.ch/a15052046"),
        ("https://www.fnac.es/a15052046/x", "https://www.fnac.es/a15052046"),
        ("https://www.fnac.pt/a15052046/x", "https://www.fnac.pt/a15052046"),
        ("https://www.fnac.com/mp41234567/Some-Title", "https://www.fnac.com/mp41234567"),
    ],
)
def test_fnac_url_variants(url, canonical):
    assert fnac.canonicalize(url) == canonical
    assert fnac.identify(url) == canonical.rsplit("/", 1)[1]


def test_darty_codic_from_both_url_forms():
    long = "https://www.darty.com/nav/achat/petit_electromenager/aspirateur/dyson_v8_absolute__7035254.html?dartycid=x"
    short = "https://www.darty.com/nav/codic/7035254"
    assert fnac.identify(long) == fnac.identify(short) == "7035254"
    assert fnac.canonicalize(long) == fnac.canonicalize(short) == short


def test_no_article_number():
    assert fnac.identify("https://www.fnac.com/Ventilation-et-Chauffage/shi292904/w-4") is None


@pytest.mark.parametrize("host", ["www.fnac.com", "fr.fnac.be", "www.fnac.ch", "www.fnac.es", "www.fnac.pt", "www.darty.com"])
def test_registry_recognises_the_domain(host):
    assert registry.for_url(f"https://{host}/a1234567").name == "fnac"


def test_all_offers_are_listed_with_fnac_first():
    case = next(c.values[0] for c in load_cases("fnac") if c.id == "listed_marketplace_seller")
    offers = check_case(case).offers
    assert [o.seller for o in offers] == ["FNAC.COM", "LaBoutiqueDuNet", "C PROMO"]
    assert [str(o.shipping_fee) for o in offers[1:]] == ["0", "7.60"]
