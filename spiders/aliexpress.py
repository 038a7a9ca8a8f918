"""AliExpress (and Alibaba.com): identity of an item, the data-generation switch, the thin spider."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.listing_spider import ListingSpider
from spiders.aliexpress_layouts import ComponentData, ModuleData
from spiders.aliexpress_page import AliExpressPage, run_params
from spiders.marketplace import Marketplace
from spiders.page import PageInput

DOMAINS = ("aliexpress.com", "aliexpress.us", "alibaba.com")
# /item/1005006296391749.html, the older /item/Some-Title/32993251330.html, /i/32993251330.html
_ITEM = re.compile(r"/(?:item|i)/(?:[^/]+/)?(\d{6,})\.html", re.I)
# alibaba.com/product-detail/Some-Title_1600123456789.html
_ALIBABA = re.compile(r"/product-detail/(?:[^/]*?_)?(\d{6,})\.html", re.I)


def _site(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return next((d for d in DOMAINS if host == d or host.endswith("." + d)), None)


def identify(url: str) -> str | None:
    """The item id of an AliExpress/Alibaba URL (`fr.aliexpress.com/item/123.html?spm=x` → "123")."""
    site = _site(url)
    if site is None:
        return None
    match = (_ALIBABA if site == "alibaba.com" else _ITEM).search(urlsplit(url).path)
    return match.group(1) if match else None


def canonicalize(url: str) -> str:
    """Every country site of one item → `https://www.aliexpress.com/item/ID.html`."""
    item, site = identify(url), _site(url)
    if item is None:
        return url
    if site == "alibaba.com":
        return f"https://www.alibaba.com/product-detail/_{item}.html"
    return f"https://www.aliexpress.com/item/{item}.html"


def pick_layout(page: PageInput) -> AliExpressPage:
    """The page object for the runParams generation this page carries (parsed once, shared)."""
    data = run_params(page.text)
    for layout in (ComponentData, ModuleData):
        if data is not None and layout.KEY in data:
            return layout(page, data)
    return ModuleData(page, data)


MARKETPLACE = Marketplace(
    name="aliexpress",
    domains=DOMAINS,
    page=pick_layout,
    needs_browser=True,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class AliExpressSpider(ListingSpider):
    name = "aliexpress"
    marketplace = MARKETPLACE
