"""eBay: every national site, one item number per listing, layouts picked by `ebay_page`.

An item is `https://www.ebay.<tld>/itm/<number>` whatever URL it was registered with
(`/itm/<slug>/<number>`, `?item=<number>`, `befr.ebay.be`, `m.ebay.de`...).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from crawler.listing_spider import ListingSpider
from spiders.ebay_layouts import (
    EbayClassicPage,
    EbayJsonLdPage,
    EbayModernPage,
    EbayPage,
)
from spiders.marketplace import Marketplace
from spiders.ebay_sites import DOMAINS, site_tld
from spiders.page import PageInput

_ITEM_PATH = re.compile(r"/itm/(?:[^/?#]+/)?(\d{9,15})(?:[/?#.]|$)")
_ITEM_NUMBER = re.compile(r"\d{9,15}")
_JSONLD_PRODUCT = re.compile(r'"@type"\s*:\s*"Product"')


def identify(url: str) -> str | None:
    """The item number of an eBay listing URL, or None."""
    parts = urlsplit(url)
    found = _ITEM_PATH.search(parts.path)
    if found:
        return found.group(1)
    for key in ("item", "itm", "itemId", "ItemId"):
        for value in parse_qs(parts.query).get(key, []):
            if _ITEM_NUMBER.fullmatch(value.strip()):
                return value.strip()
    return None


def canonicalize(url: str) -> str:
    """`https://www.ebay.<tld>/itm/<number>`; URLs without an item number only lose their fragment."""
    number, tld = identify(url), site_tld(url)
    if number and tld:
        return f"https://www.ebay.{tld}/itm/{number}"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, parts.query, ""))


def ebay_page(page: PageInput) -> EbayPage:
    """The layout switch: the newest markup the page carries wins, walls and ended pages get the base."""
    text = page.text
    if "x-price-primary" in text and _JSONLD_PRODUCT.search(text):
        return EbayJsonLdPage(page)
    if "x-price-primary" in text or "x-item-title" in text:
        return EbayModernPage(page)
    if 'id="prcIsum' in text or 'id="mm-saleDscPrc"' in text or 'id="itemTitle"' in text:
        return EbayClassicPage(page)
    return EbayPage(page)


MARKETPLACE = Marketplace(
    name="ebay",
    domains=DOMAINS,
    page=ebay_page,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=4,
    delay=1.0,
)


class EbaySpider(ListingSpider):
    name = "ebay"
    marketplace = MARKETPLACE
