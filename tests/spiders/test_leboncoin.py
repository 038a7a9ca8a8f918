import pytest

from spiders import registry
from spiders.leboncoin import canonicalize, identify
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
