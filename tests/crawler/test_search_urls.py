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


@pytest.mark.parametrize("url, marketplace, ref, query, search", [
    ("https://www.cdiscount.com/maison/f-117-abc.html", "cdiscount", "abc", "chaise pliante",
     "https://www.cdiscount.com/search/10/chaise+pliante.html"),
    ("https://www.fnac.com/a15052046/livre", "fnac", "a15052046", "chaise pliante",
     "https://www.fnac.com/SearchResult/ResultList.aspx?Search=chaise+pliante"),
    ("https://fr.shopping.rakuten.com/offer/buy/3820499960/sony-xperia-1-blanc.html", "rakuten", "3820499960",
     "sony xperia", "https://fr.shopping.rakuten.com/search/sony%20xperia"),
    ("https://www.manomano.fr/p/perceuse-12345678", "manomano", "12345678", "colle pvc",
     "https://www.manomano.fr/recherche/colle+pvc"),
    ("https://www.laredoute.fr/ppdp/prod-500787340.aspx", "laredoute", "500787340", "robe été",
     "https://www.laredoute.fr/psrch/psrch.aspx?kwrd=robe+%C3%A9t%C3%A9"),
    ("https://www.conforama.fr/p/526133", "conforama", "526133", "canapé d'angle",
     "https://www.conforama.fr/recherche-conforama/canap%C3%A9%20d%27angle"),
    ("https://www.leboncoin.fr/ad/ameublement/2791234567", "leboncoin", "2791234567", "oreiller soya",
     "https://www.leboncoin.fr/recherche?text=oreiller+soya"),
    ("https://fr.aliexpress.com/item/1005001234567890.html", "aliexpress", "1005001234567890", "usb  hub",
     "https://fr.aliexpress.com/w/wholesale-usb-hub.html"),
])
def test_french_marketplaces_search_their_french_site(url, marketplace, ref, query, search):
    site = search_site(url, marketplace)
    assert (site.marketplace, site.product_ref) == (marketplace, ref)
    assert site.ask(query) == search


def test_french_marketplaces_are_read_by_the_generic_reader_which_vouches_for_no_search_page():
    """The generic reader answers for these search pages, and never with a complete page (no paid label known)."""
    from spiders.page import PageInput
    from spiders.results import parser_for
    from spiders.results_generic import GenericResults

    site = search_site("https://www.cdiscount.com/maison/f-117-abc.html", "cdiscount")
    read = parser_for("search", site.marketplace)
    body = ('<html><body><a href="https://www.cdiscount.com/maison/f-117-abc.html">Chaise</a>'
            '<a href="https://www.cdiscount.com/maison/f-117-def.html">Table</a></body></html>')
    page = read(PageInput(url=site.ask("chaise"), body=body.encode(), status=200))
    assert read.__name__ == "read_search_cdiscount" and GenericResults.__module__ == "spiders.results_generic"
    assert [i.id for i in page.items] == ["abc", "def"] and not page.complete
    assert "not vouched for" in page.reasons[0]


@pytest.mark.parametrize("url, marketplace, says", [
    ("https://www.darty.com/nav/achat/x/y__12345678.html", "fnac", "cannot tell the fnac product id"),
    ("https://shop.example.org/p/lamp", "generic", "no search results reader for 'generic'"),
    ("https://www.amazon.fr/gp/help/customer", "amazon", "cannot tell the amazon product id"),
])
def test_refused_with_the_reason(url, marketplace, says):
    with pytest.raises(BadURL, match=says):
        search_site(url, marketplace)


def test_every_searchable_marketplace_has_the_search_reader_its_watch_will_use():
    from crawler.search_urls import FRENCH_SEARCH, KNOWN
    from spiders.results import parser_for

    assert set(FRENCH_SEARCH) < set(KNOWN)
    for name in KNOWN:
        assert callable(parser_for("search", name))
    readers = {name: parser_for("search", name).__module__ for name in FRENCH_SEARCH}
    assert readers.pop("aliexpress") == "spiders.results_aliexpress"  # built on a real page, vouches for none
    assert set(readers.values()) == {"spiders.results_generic"}
