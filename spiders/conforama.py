"""Conforama: one product id per listing (`/p/<id>`, `...-p-<id>` or `?id=<id>`).

A product is `https://www.conforama.<tld>/p/<id>`. Conforama sells most items itself
("Vendu et livré par Conforama"); marketplace partners show "Vendu par <seller>".
A removed product redirects to its category or answers 404.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from crawler.listing_spider import ListingSpider
from spiders.fr_retail import FrRetailPage, national_host
from spiders.marketplace import Marketplace

TLDS = ("fr", "ch", "es", "pt")
_PRODUCT = re.compile(r"(?:/p/|-p-)([A-Za-z0-9]{3,20})(?:[/.?#]|$)")


def identify(url: str) -> str | None:
    parts = urlsplit(url)
    found = _PRODUCT.search(parts.path)
    if found:
        return found.group(1)
    ids = [v.strip() for v in parse_qs(parts.query).get("id", []) if v.strip().isalnum()]
    return ids[0] if ids else None


def canonicalize(url: str) -> str:
    ref, host = identify(url), national_host(url, "conforama", TLDS)
    if ref and host:
        return f"https://{host}/p/{ref}"
    return url.split("#", 1)[0]


class ConforamaPage(FrRetailPage):
    marketplace = "conforama"
    brand, tlds = "conforama", TLDS
    host_currencies = (("ch", "CHF"),)
    house_seller = "Conforama"
    title_xpaths = ('//h1[contains(@class,"product-name")]', "//h1")
    price_xpaths = ('//*[contains(@class,"product-price")]//*[contains(@class,"price-final")]',
                    '//*[contains(@class,"product-price")]//*[@data-price]/@data-price')
    seller_xpaths = ('//*[contains(@class,"seller-name")]',)
    seller_line_xpaths = ('//*[contains(@class,"product-seller")]',)
    shipping_xpaths = ('//*[contains(@class,"delivery-price")]',)
    buybox_xpaths = ('//*[contains(@class,"product-availability")]', '//*[contains(@class,"buybox")]')
    buy_button_xpaths = ('//*[contains(@class,"buybox")]//button[contains(@class,"add-to-cart")]',)
    gone_words = ("la page que vous recherchez est introuvable", "ce produit n'est plus disponible")
    search_paths = ("/recherche-conforama", "/recherche")
    product_path = _PRODUCT
    category_path = re.compile(r"/c/[\w-]+/?$")



MARKETPLACE = Marketplace(
    name="conforama",
    domains=tuple(f"conforama.{tld}" for tld in TLDS),
    page=ConforamaPage,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=1.5,
)


class ConforamaSpider(ListingSpider):
    name = "conforama"
    marketplace = MARKETPLACE
