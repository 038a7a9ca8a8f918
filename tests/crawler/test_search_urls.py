"""Search URLs per marketplace: the product's own id, the query with the locale fixed, a refusal with the reason
where Vigie has no search results reader; and the sandbox's form on local hosts only."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.search_urls import search_site
from crawler.urls import BadURL


def test_amazon_searches_the_same_site_in_its_own_language():
    site = search_site("https://www.amazon.de/dp/B07G8CVQNK", "amazon")
    assert (site.marketplace, site.product_ref) == ("amazon", "B07G8CVQNK")
    url = urlsplit(site.ask("tasse émaillée"))
    assert (url.netloc, url.path) == ("www.amazon.de", "/s")
    assert parse_qs(url.query) == {"k": ["tasse émaillée"], "language": ["de_DE"]}


def test_ebay_searches_by_best_match():
    site = search_site("https://www.ebay.fr/itm/123456789012", "ebay")
    assert site.product_ref == "123456789012"
    url = urlsplit(site.ask("123456789012"))
    assert (url.netloc, url.path) == ("www.ebay.fr", "/sch/i.html")
    assert parse_qs(url.query)["_nkw"] == ["123456789012"] and parse_qs(url.query)["_sop"] == ["12"]


def test_the_sandbox_on_a_local_host():
    site = search_site("http://127.0.0.1:8000/p/lamp-7", "generic")
    assert (site.marketplace, site.product_ref) == ("sandbox", "lamp-7")
    assert site.ask("lampe laiton") == "http://127.0.0.1:8000/search?q=lampe+laiton"


@pytest.mark.parametrize("url, marketplace, says", [
    ("https://www.cdiscount.com/f-1-abc.html", "cdiscount", "no search results reader for 'cdiscount'"),
    ("https://shop.example.org/p/lamp", "generic", "no search results reader for 'generic'"),
    ("https://www.amazon.fr/gp/help/customer", "amazon", "cannot tell the amazon product id"),
])
def test_refused_with_the_reason(url, marketplace, says):
    with pytest.raises(BadURL, match=says):
        search_site(url, marketplace)
