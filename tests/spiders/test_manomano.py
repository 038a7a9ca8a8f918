"""ManoMano adapter: saved-page fixtures, product ids and canonical URLs on every national site."""
from __future__ import annotations

import pytest

from spiders import manomano, registry
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("manomano"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.manomano.fr/p/perceuse-visseuse-bosch-18v-12345678", "https://www.manomano.fr/p/12345678"),
        ("https://www.manomano.fr/p/perceuse-visseuse-bosch-18v-12345678?model_id=999&utm_source=x#reviews", "https://www.manomano.fr/p/12345678"),
        ("https://manomano.fr/p/12345678", "https://www.manomano.fr/p/12345678"),
        ("https://www.manomano.de/p/akku-bohrschrauber-12345678", "https://www.manomano.de/p/12345678"),
        ("https://www.manomano.es/p/taladro-12345678", "https://www.manomano.es/p/12345678"),
        ("https://www.manomano.it/p/trapano-12345678", "https://www.manomano.it/p/12345678"),
        ("https://www.manomano.co.uk/p/cordless-drill-12345678", "https://www.manomano.co.uk/p/12345678"),
    ],
)
def test_url_variants(url, canonical):
    assert manomano.identify(url) == "12345678"
    assert manomano.canonicalize(url) == canonical


def test_no_product_id_on_category_pages():
    assert manomano.identify("https://www.manomano.fr/cat/perceuse-visseuse-2097") is None


@pytest.mark.parametrize("tld", manomano.TLDS)
def test_registry_recognises_the_domain(tld):
    assert registry.for_url(f"https://www.manomano.{tld}/p/x-1234").name == "manomano"


def test_fetched_through_the_browser():
    assert registry.by_name("manomano").needs_browser is True
