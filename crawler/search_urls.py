"""Search URLs of the marketplaces with a search results reader (issue 27): the query asked with the locale and
the delivery country fixed by the site itself (no cookies, no session), so results compare from day to day.

Each marketplace says how to find the product's own id in its listing URL (what the results must show) and
how to ask its search. The sandbox's `/search?q=` (what `vigie sandbox` serves) is recognised on localhost and
IP addresses only, for a product page of the form /p/<id>.

The French marketplaces have no results page object of their own yet (no real results page to build one from):
their search pages are read by spiders.results_generic, which answers "no answer" unless the page's structured
data vouches for it. AliExpress has one (spiders.results_aliexpress), which reads the cards and their paid
flags but vouches for no page either. Their search URLs are the French sites' own forms (the French site fixes
the language and the delivery country), as public code writes them.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote, quote_plus, urlencode, urlsplit, urlunsplit

from crawler.urls import BadURL
from said import N_

# one language per site, so the results page reads the same every day
AMAZON_LANGUAGES = {"amazon.fr": "fr_FR", "amazon.de": "de_DE", "amazon.it": "it_IT", "amazon.es": "es_ES",
                    "amazon.co.uk": "en_GB", "amazon.com": "en_US", "amazon.nl": "nl_NL", "amazon.com.be": "fr_BE"}


@dataclass(frozen=True)
class SearchSite:
    marketplace: str       # the results reader's name (spiders.results.parser_for("search", marketplace))
    product_ref: str       # the id the results show for the watched product
    ask: Callable[[str], str]  # query -> the results URL of its first page


def _site(scheme: str, host: str, path: str, params: dict[str, str]) -> Callable[[str], str]:
    return lambda query: urlunsplit((scheme, host, path, urlencode({**_first(params, query)}), ""))


def _first(params: dict[str, str], query: str) -> dict[str, str]:
    return {key: (query if value == "{q}" else value) for key, value in params.items()}


def _amazon(parts, ref: str | None) -> SearchSite | None:
    from spiders import amazon

    site = amazon.site_of(urlunsplit(parts))
    asin = ref or amazon.identify(urlunsplit(parts))
    if not site or not asin:
        return None
    params = {"k": "{q}", "language": AMAZON_LANGUAGES.get(site, "en_US")}
    return SearchSite("amazon", asin.upper(), _site("https", f"www.{site}", "/s", params))


def _ebay(parts, ref: str | None) -> SearchSite | None:
    from spiders import ebay

    tld, number = ebay.site_tld(urlunsplit(parts)), ref or ebay.identify(urlunsplit(parts))
    if not tld or not number:
        return None
    # best match order, 60 per page; the site fixes the delivery country
    return SearchSite("ebay", number, _site("https", f"www.ebay.{tld}", "/sch/i.html",
                                           {"_nkw": "{q}", "_sop": "12", "_ipg": "60"}))


_SANDBOX_PRODUCT = re.compile(r"/p/(?P<id>[A-Za-z0-9_-]{1,100})/?$")


def _sandbox(parts, ref: str | None) -> SearchSite | None:
    found = _SANDBOX_PRODUCT.match(parts.path)
    if not _local(parts.hostname or "") or not found:
        return None
    return SearchSite("sandbox", found.group("id"), _site(parts.scheme, parts.netloc, "/search", {"q": "{q}"}))


# query -> first results page, for the marketplaces whose search pages are never vouched for (registry names)
FRENCH_SEARCH: dict[str, tuple[tuple[str, ...], Callable[[str], str]]] = {
    "cdiscount": (("cdiscount.com",), lambda q: f"https://www.cdiscount.com/search/10/{quote_plus(q)}.html"),
    "fnac": (("fnac.com",),
             lambda q: "https://www.fnac.com/SearchResult/ResultList.aspx?" + urlencode({"Search": q})),
    "rakuten": (("rakuten.com",), lambda q: f"https://fr.shopping.rakuten.com/search/{quote(q, safe='')}"),
    "manomano": (("manomano.fr",), lambda q: f"https://www.manomano.fr/recherche/{quote_plus(q)}"),
    "laredoute": (("laredoute.fr",),
                  lambda q: "https://www.laredoute.fr/psrch/psrch.aspx?" + urlencode({"kwrd": q})),
    "conforama": (("conforama.fr",), lambda q: f"https://www.conforama.fr/recherche-conforama/{quote(q, safe='')}"),
    "leboncoin": (("leboncoin.fr",), lambda q: "https://www.leboncoin.fr/recherche?" + urlencode({"text": q})),
    # AliExpress writes the words of a wholesale search joined by hyphens
    "aliexpress": (("aliexpress.com", "aliexpress.fr"),
                   lambda q: f"https://fr.aliexpress.com/w/wholesale-{'-'.join(quote(w, safe='') for w in q.split())}"
                             ".html"),
}


def _french(marketplace: str) -> Callable:
    hosts, ask = FRENCH_SEARCH[marketplace]

    def site(parts, ref: str | None) -> SearchSite | None:
        from spiders import registry

        host = (parts.hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in hosts):
            return None  # e.g. a Darty page under the fnac adapter: not on this search
        ident = ref or registry.by_name(marketplace).identify(urlunsplit(parts))
        return SearchSite(marketplace, ident, ask) if ident else None
    return site


SITES: dict[str, Callable] = {"amazon": _amazon, "ebay": _ebay, **{name: _french(name) for name in FRENCH_SEARCH}}
KNOWN = ("amazon", "ebay", *FRENCH_SEARCH, "sandbox")


def search_site(url: str, marketplace: str, ref: str | None = None) -> SearchSite:
    """Where to search for the product of this listing URL; BadURL (one line, with the reason) when Vigie cannot."""
    parts = urlsplit(url)
    reader = SITES.get(marketplace)
    found = reader(parts, ref) if reader else _sandbox(parts, None)
    if found is None:
        if reader is not None:
            raise BadURL(N_("cannot tell the %(marketplace)s product id of %(url)s: no search watch"),
                         marketplace=marketplace, url=repr(url[:200]))
        raise BadURL(N_("no search results reader for %(marketplace)s listings (search watches know: %(known)s)"),
                     marketplace=repr(marketplace), known=", ".join(KNOWN))
    return found


def _local(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return True
