"""La Redoute: every national site, one product id per listing (`/ppdp/prod-<id>.aspx`).

Trap: JSON-LD carries the first variant's pre-discount price (811.40) while the page shows
"à partir de 431,20 €". The shown price is the product-level `PriceDisplay` of the inline
`hidProductVariants_<id>` JSON (the price block's span is filled from it by script), so
that wins; JSON-LD is the last resort.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

from crawler.listing_spider import ListingSpider
from detector.model import Offer
from spiders.fr_retail import FrRetailPage, national_host
from spiders.marketplace import Marketplace

TLDS = ("fr", "com", "be", "ch", "es", "it", "co.uk", "pt")
_PRODUCT = re.compile(r"^(/[a-z]{2})?/ppdp/prod-(\d+)\.aspx", re.I)
_VARIANTS = re.compile(r"var\s+hidProductVariants_\d+\s*=\s*(\[.*?\]);\s*</script>", re.S)


def identify(url: str) -> str | None:
    found = _PRODUCT.search(urlsplit(url).path)
    return found.group(2) if found else None


def canonicalize(url: str) -> str:
    """`https://www.laredoute.<tld>[/<lang>]/ppdp/prod-<id>.aspx`, without query or fragment."""
    found, host = _PRODUCT.search(urlsplit(url).path), national_host(url, "laredoute", TLDS)
    if found and host:
        return f"https://{host}{(found.group(1) or '').lower()}/ppdp/prod-{found.group(2)}.aspx"
    return url.split("#", 1)[0]


class LaRedoutePage(FrRetailPage):
    marketplace = "laredoute"
    brand, tlds = "laredoute", TLDS
    dot_decimal_tlds = ("co.uk",)
    host_currencies = (("co.uk", "GBP"), ("ch", "CHF"))
    house_seller = "La Redoute"
    title_xpaths = ('//*[@id="mtaName"]/@content', "//h1")
    price_xpaths = ('//span[starts-with(@id,"showSalePriceAfter_")]',)
    seller_xpaths = ('//*[contains(@class,"name-vendor")]',)
    shipping_xpaths = ('//li[contains(@class,"delivery-info-content")]',)
    buybox_xpaths = (
        '//*[contains(@class,"delivery-info-container")]//*[contains(@class,"delivery")]',
        '//*[contains(@class,"add-to-basket-button")]',
        '//*[contains(@class,"product-unavailable")]',
    )
    buy_button_xpaths = ('//a[starts-with(@id,"btnAddToBasket_")]',)
    gone_words = ("la page que vous recherchez n'existe plus", "ce produit n'est plus disponible")

    @cached_property
    def inline(self) -> dict | None:
        found = _VARIANTS.search(self.page.text)
        if not found:
            return None
        try:
            data = json.loads(found.group(1))
        except ValueError:
            return None
        return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None

    @cached_property
    def articles(self) -> list[dict]:
        """Every sellable article (colour × size) of the inline JSON."""
        found: list[dict] = []

        def walk(node: dict, depth: int) -> None:
            if depth > 6:
                return
            for variant in node.get("Variants") or ():
                if isinstance(variant, dict):
                    if isinstance(variant.get("Article"), dict):
                        found.append(variant["Article"])
                    walk(variant, depth + 1)

        if self.inline:
            walk(self.inline, 0)
        return found

    @cached_property
    def visible_price_text(self) -> str | None:
        shown = self.first_text(self.price_xpaths)
        if shown:
            return shown
        display = ((self.inline or {}).get("WebInfo") or {}).get("PriceDisplay") or {}
        return display.get("FormattedSalePriceAfterWithCharges") or display.get("FormattedSalePriceAfter")

    @cached_property
    def has_product(self) -> bool:
        return super().has_product or self.inline is not None


    def availability(self) -> str | None:
        found = super().availability()
        if found == "OutOfStock" or not self.articles:
            return found
        codes = {str(a.get("AvailabilityCode") or "") for a in self.articles}
        # "L" (livrable) and "B" (back-ordered) can be bought; anything else is not
        return "InStock" if codes & {"L", "B", ""} else "OutOfStock"

    def offers(self) -> list[Offer]:
        seen: dict[str, Offer] = {}
        for article in self.articles:
            vendor = (article.get("Vendor") or {}).get("Name")
            shown = ((article.get("WebInfo") or {}).get("ArticlePriceDisplay") or {})
            if vendor and vendor not in seen:
                seen[vendor] = Offer(
                    seller=vendor,
                    price=self.amount(shown.get("FormattedSalePriceAfterWithCharges")),
                    currency=self.currency(),
                    shipping_fee=self.fee_from_text(article.get("FormattedDeliveryFee")),
                    available=article.get("AvailabilityCode") in ("L", "B"),
                )
        return list(seen.values()) or super().offers()

    def shipping_fee(self) -> Decimal | None:
        fee = super().shipping_fee()
        if fee is None and len({a.get("FormattedDeliveryFee") for a in self.articles}) == 1:
            fee = self.fee_from_text(self.articles[0].get("FormattedDeliveryFee"))
        return fee


MARKETPLACE = Marketplace(
    name="laredoute",
    domains=tuple(f"laredoute.{tld}" for tld in TLDS),
    page=LaRedoutePage,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=1.5,
)


class LaRedouteSpider(ListingSpider):
    name = "laredoute"
    marketplace = MARKETPLACE
