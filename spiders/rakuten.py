"""Rakuten France (ex-PriceMinister): one product page lists dozens of sellers' offers.

The main offer is the buy box (`#prdBuyBoxV2`); every offer on the page — the buy box, the
`#prdListingListV2` list and the JSON-LD offers — counts when looking for a registered seller.
A product is `https://fr.shopping.rakuten.com/offer/buy/<id>/` whatever URL it came from.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.listing_spider import ListingSpider
from spiders.marketplace import Marketplace
from spiders.page import PageInput
from spiders.rakuten_pages import RakutenBuyBoxPage, RakutenJsonLdPage, RakutenPage

DOMAINS = ("fr.shopping.rakuten.com", "rakuten.fr", "priceminister.com")
_PRODUCT_PATH = re.compile(r"/(?:offer/buy|mfp)/(\d{3,14})(?:[/?#.]|$)")


def identify(url: str) -> str | None:
    """The product id of a Rakuten France product URL, or None."""
    found = _PRODUCT_PATH.search(urlsplit(url).path)
    return found.group(1) if found else None


def canonicalize(url: str) -> str:
    """`https://fr.shopping.rakuten.com/offer/buy/<id>/`, the slug left out."""
    product = identify(url)
    if product is None:
        return url.split("#", 1)[0]
    return f"https://fr.shopping.rakuten.com/offer/buy/{product}/"


def rakuten_page(page: PageInput) -> RakutenPage:
    text = page.body
    if b"prdBuyBoxV2" in text or b"prdListingListV2" in text:
        return RakutenBuyBoxPage(page)
    if b"application/ld+json" in text:
        return RakutenJsonLdPage(page)
    return RakutenPage(page)


MARKETPLACE = Marketplace(
    name="rakuten",
    domains=DOMAINS,
    page=rakuten_page,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class RakutenSpider(ListingSpider):
    name = "rakuten"
    marketplace = MARKETPLACE
