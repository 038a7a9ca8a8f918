"""Conforama adapter: saved-page fixtures, product ids and canonical URLs."""
from __future__ import annotations

import pytest

from spiders import conforama, registry
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("conforama"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.conforama.fr/canape-sofa-divan/canape/canape-d-angle-oslo/p/526133", "https://www.conforama.fr/p/526133"),
        ("https://www.conforama.fr/canape-d-angle-oslo/p/526133?utm_source=x#avis", "https://www.conforama.fr/p/526133"),
        ("https://www.conforama.fr/canape-d-angle-oslo-p-526133.html", "https://www.conforama.fr/p/526133"),
        ("https://www.conforama.fr/produit?id=526133", "https://www.conforama.fr/p/526133"),
        ("https://conforama.fr/p/526133", "https://www.conforama.fr/p/526133"),
        ("https://www.conforama.ch/fr/canape/p/526133", "https://www.conforama.ch/p/526133"),
        ("https://www.conforama.es/sofa/p/526133", "https://www.conforama.es/p/526133"),
        ("https://www.conforama.pt/sofa/p/526133", "https://www.conforama.pt/p/526133"),
    ],
)
def test_url_variants(url, canonical):
    assert conforama.identify(url) == "526133"
    assert conforama.canonicalize(url) == canonical


def test_no_product_id_on_category_pages():
    assert conforama.identify("https://www.conforama.fr/salon-sejour/canape-d-angle/c/0201") is None


@pytest.mark.parametrize("tld", conforama.TLDS)
def test_registry_recognises_the_domain(tld):
    assert registry.for_url(f"https://www.conforama.{tld}/p/1234").name == "conforama"
