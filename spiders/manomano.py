"""ManoMano: every national site, one product id per listing (`/p/<slug>-<id>`).

A product is `https://www.manomano.<tld>/p/<id>` whatever slug, `model_id` or tracking query
it came with. Parts of the page are rendered on the client (Next.js), so the crawler fetches
it through the browser; the server HTML still carries JSON-LD, which is the fallback here.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.listing_spider import ListingSpider
from spiders.fr_retail import FrRetailPage, national_host
from spiders.marketplace import Marketplace

TLDS = ("fr", "de", "es", "it", "co.uk")
_PRODUCT = re.compile(r"/p/(?:[^/?#]*-)?(\d{4,12})/?$")


def identify(url: str) -> str | None:
    found = _PRODUCT.search(urlsplit(url).path)
    return found.group(1) if found else None


def canonicalize(url: str) -> str:
    ref, host = identify(url), national_host(url, "manomano", TLDS)
    if ref and host:
        return f"https://{host}/p/{ref}"
    return url.split("#", 1)[0]


class ManoManoPage(FrRetailPage):
    marketplace = "manomano"
    brand, tlds = "manomano", TLDS
    dot_decimal_tlds = ("co.uk",)
    host_currencies = (("co.uk", "GBP"),)
    title_xpaths = ('//h1[@data-testid="product-title"]', "//h1")
    price_xpaths = ('//*[@data-testid="main-price-container"]//*[@data-testid="price-main"]', '//*[@data-testid="price-main"]')
    seller_xpaths = ('//*[@data-testid="seller-name"]',)
    seller_line_xpaths = ('//*[@data-testid="seller-info"]',)
    shipping_xpaths = ('//*[@data-testid="delivery-price"]', '//*[@data-testid="delivery-info"]')
    buybox_xpaths = ('//*[@data-testid="buybox"]',)
    buy_button_xpaths = ('//*[@data-testid="buybox"]//button[@data-testid="add-to-cart"]',)
    gone_words = ("oups, cette page n'existe pas", "ce produit n'est plus disponible", "page introuvable")
    search_paths = ("/recherche", "/search", "/suche", "/ricerca", "/buscar")



MARKETPLACE = Marketplace(
    name="manomano",
    domains=tuple(f"manomano.{tld}" for tld in TLDS),
    page=ManoManoPage,
    needs_browser=True,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class ManoManoSpider(ListingSpider):
    name = "manomano"
    marketplace = MARKETPLACE
