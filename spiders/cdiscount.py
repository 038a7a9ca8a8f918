"""Cdiscount: one product reference per listing (`/f-<category>-<ref>.html`).

A product is `https://www.cdiscount.com/f-<category>-<ref>.html` whatever slug path, `idOffre`
or tracking query it was registered with. Cdiscount's own offers name no seller ("Vendu et
expédié par Cdiscount" or only the "Cdiscount à volonté" badge); marketplace offers say
"Vendu par <a class=fpSellerName>idigital</a>".
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from crawler.listing_spider import ListingSpider
from spiders.fr_retail import FrRetailPage
from spiders.marketplace import Marketplace

_PRODUCT = re.compile(r"/f-(\d+)-([a-z0-9]+)\.html$", re.I)


def identify(url: str) -> str | None:
    """`.../f-1448839-iphonex64gogs.html?idOffre=1` → `"iphonex64gogs"` (references are case-blind)."""
    parts = urlsplit(url)
    found = _PRODUCT.search(parts.path)
    if found:
        return found.group(2).lower()
    sku = parse_qs(parts.query).get("sku")
    return sku[0].strip().lower() if sku and sku[0].strip() else None


def canonicalize(url: str) -> str:
    found = _PRODUCT.search(urlsplit(url).path)
    if found:
        return f"https://www.cdiscount.com/f-{found.group(1)}-{found.group(2).lower()}.html"
    ref = identify(url)
    if ref:
        return f"https://www.cdiscount.com/dp.aspx?sku={ref}"
    return url.split("#", 1)[0]


class CdiscountPage(FrRetailPage):
    marketplace = "cdiscount"
    house_seller = "Cdiscount"
    title_xpaths = ("//h1",)
    price_xpaths = (
        '//*[contains(@class,"fpPrice") and @itemprop="price"]/@content',
        '//*[contains(@class,"jsMainPrice")]',
        '//*[@itemprop="price"]/@content',
    )
    seller_xpaths = ('//*[@id="fpSellBy"]//a[contains(@class,"fpSellerName")]',)
    seller_line_xpaths = ('//*[@id="fpSellBy"]', '//*[contains(@class,"fpSeller")]')
    shipping_xpaths = ('//*[@id="fpShippingList"]//*[contains(@class,"fpShippingText")]',)
    buybox_xpaths = ('//*[contains(@class,"fpPriceBloc")]', '//*[@id="fpStock"]', '//*[contains(@class,"fpAvailability")]')
    buy_button_xpaths = ('//*[@id="fpAddBsk"]/@value', '//input[@id="fpAddBsk"]/@id')
    unavailable_words = FrRetailPage.unavailable_words + ("victime de son succès",)
    gone_words = ("ce produit n'est plus disponible", "oups ! la page que vous recherchez")
    search_paths = ("/search",)
    product_path = _PRODUCT
    category_path = re.compile(r"/(?:l|lf|v)-[\w-]+\.html$")


MARKETPLACE = Marketplace(
    name="cdiscount",
    domains=("cdiscount.com", "cdiscount.fr"),
    page=CdiscountPage,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class CdiscountSpider(ListingSpider):
    name = "cdiscount"
    marketplace = MARKETPLACE
