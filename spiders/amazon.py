"""Amazon (every national site): identity of a listing, the layout switch, the thin spider."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from crawler.listing_spider import ListingSpider
from spiders.amazon_layouts import ClassicBuyBox, CorePriceBuyBox
from spiders.amazon_page import DOMAINS, AmazonPage, parse, site_of
from spiders.marketplace import Marketplace
from spiders.page import PageInput

# /dp/ASIN, /gp/product/ASIN, /gp/aw/d/ASIN (mobile), /product/ASIN, /exec/obidos/ASIN/ASIN, /o/ASIN/ASIN
_ASIN = re.compile(
    r"/(?:dp|gp/product|gp/aw/d|product|exec/obidos/asin|o/asin|gp/offer-listing)/([A-Z0-9]{10})(?=[/?#.]|$)",
    re.I,
)


def identify(url: str) -> str | None:
    """The ASIN of an Amazon product URL (`…/Some-Title/dp/B07G8CVQNK/ref=sr_1_1` → "B07G8CVQNK")."""
    if not site_of(url):
        return None
    match = _ASIN.search(unquote(urlsplit(url).path))
    return match.group(1).upper() if match else None


def canonicalize(url: str) -> str:
    """`https://amazon.fr/Title/dp/B07G8CVQNK?tag=x` → `https://www.amazon.fr/dp/B07G8CVQNK`."""
    asin, site = identify(url), site_of(url)
    if not asin or not site:
        return url
    return f"https://www.{site}/dp/{asin}"


def pick_layout(page: PageInput) -> AmazonPage:
    """The page object for this response's buy-box layout (the tree is parsed once and shared)."""
    tree = parse(page)
    probe = CorePriceBuyBox(page, tree)
    if any(probe.el(i) is not None for i in CorePriceBuyBox.PRICE_BLOCKS):
        return probe
    return ClassicBuyBox(page, tree)


MARKETPLACE = Marketplace(
    name="amazon",
    domains=DOMAINS,
    page=pick_layout,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class AmazonSpider(ListingSpider):
    name = "amazon"
    marketplace = MARKETPLACE
