"""Leboncoin: classified ads (one seller per ad), Next.js pages behind DataDome.

The ad lives in `<script id="__NEXT_DATA__">` (`props.pageProps.ad`); a page without it falls back to
its JSON-LD Product. An ad is `https://www.leboncoin.fr/ad/<category>/<id>` whatever URL it came from.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from crawler.listing_spider import ListingSpider
from spiders import money, schema_org, walls
from spiders.marketplace import Marketplace
from spiders.page import PageInput, ProductPage

DOMAINS = ("leboncoin.fr",)
_AD_PATH = re.compile(r"^/(?:ad/([a-z_]+)/(\d{6,12})|([a-z_]+)/(\d{6,12})\.htm)(?:[/?#]|$)")
_SMALL_WALL = 5_000
_GONE_WORDS = ("Cette annonce est désactivée", "Cette annonce n'est plus disponible", "Cette annonce n’est plus disponible")
_GONE_XPATH = "//body//text()[{}][not(ancestor::script)]".format(" or ".join(f'contains(., "{w}")' for w in _GONE_WORDS))
# ad statuses that mean the ad is no longer published
_GONE_STATUS = frozenset({"deleted", "disabled", "expired", "archived", "refused", "closed", "inactive"})
_SOLD_STATUS = frozenset({"sold", "reserved", "paused"})


def _parts(url: str) -> tuple[str, str] | None:
    found = _AD_PATH.match(urlsplit(url).path)
    if not found:
        return None
    category, ad_id = (found.group(1), found.group(2)) if found.group(2) else (found.group(3), found.group(4))
    return category, ad_id


def identify(url: str) -> str | None:
    """The ad id (`list_id`) of a Leboncoin ad URL, or None."""
    parts = _parts(url)
    return parts[1] if parts else None


def canonicalize(url: str) -> str:
    parts = _parts(url)
    if parts is None:
        return url.split("#", 1)[0]
    return f"https://www.leboncoin.fr/ad/{parts[0]}/{parts[1]}"


class LeboncoinPage(ProductPage):
    """What every Leboncoin page shares: the DataDome wall, removed ads, redirects to search."""

    marketplace = "leboncoin"
    decimal_separator = ","

    @cached_property
    def tree(self) -> Selector:
        return Selector(text=self.page.text)

    def wall(self) -> str | None:
        text = self.page.text
        found = walls.detect_wall(text, self.page.headers)
        if found:
            return found
        title = (self.tree.xpath("string(//title)").get() or "").strip().casefold()
        if len(text) <= _SMALL_WALL and title in ("leboncoin.fr", "www.leboncoin.fr"):
            return "DataDome wall (bare page titled with the domain)"
        return None

    def gone(self) -> str | None:
        if self.page.redirected and _parts(self.page.url) is None:
            return f"redirected to {urlsplit(self.page.url).path or '/'} (not an ad page)"
        said = self.tree.xpath(_GONE_XPATH).get()
        if said:
            return f"removed ad: {' '.join(said.split())[:100]}"
        return None

    def is_product_page(self) -> bool:
        return False

    def not_product_reason(self) -> str:
        return "no ad data found (no __NEXT_DATA__ ad, no JSON-LD Product)"

    def currency(self) -> str | None:
        return "EUR"

    def missing(self, field: str, why: str) -> None:
        reason = f"{field} not found: {why}"
        if reason not in self.reasons:
            self.reasons.append(reason)


class LeboncoinNextDataPage(LeboncoinPage):
    """The Next.js page: everything from `props.pageProps.ad`."""

    @cached_property
    def next_data(self) -> dict:
        raw = self.tree.xpath('//script[@id="__NEXT_DATA__"]/text()').get()
        try:
            data = json.loads(raw or "")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @cached_property
    def ad(self) -> dict | None:
        props = self.next_data.get("props") or {}
        ad = (props.get("pageProps") or {}).get("ad") if isinstance(props, dict) else None
        return ad if isinstance(ad, dict) and ad else None

    @property
    def status(self) -> str:
        return str((self.ad or {}).get("status") or "").casefold()

    def gone(self) -> str | None:
        found = super().gone()
        if found:
            return found
        if self.ad is not None and self.status in _GONE_STATUS:
            return f"ad status {self.status!r}"
        if self.next_data.get("page") in ("/_error", "/404"):
            return f"Next.js error page {self.next_data.get('page')}"
        return None

    def is_product_page(self) -> bool:
        return self.ad is not None

    def title(self) -> str | None:
        return schema_org.text((self.ad or {}).get("subject"))

    def price(self) -> Decimal | None:
        ad = self.ad or {}
        cents = ad.get("price_cents")
        if isinstance(cents, int) and not isinstance(cents, bool):
            return (Decimal(cents) / 100).quantize(Decimal("0.01"))
        amount = money.decimal_or_none(schema_org.first(ad.get("price")))
        if amount is None:
            self.missing("price", "ad has no price nor price_cents")
        return amount

    def shipping_fee(self) -> Decimal | None:
        shipping = (self.ad or {}).get("shipping")
        if isinstance(shipping, dict):
            for key in ("cost_cents", "price_cents", "min_price_cents"):
                if isinstance(shipping.get(key), int):
                    return (Decimal(shipping[key]) / 100).quantize(Decimal("0.01"))
            for key in ("cost", "price", "min_price"):
                amount = money.decimal_or_none(shipping.get(key))
                if amount is not None:
                    return amount
        self.missing("shipping_fee", "the ad states no fixed delivery fee")
        return None

    def seller(self) -> str | None:
        owner = (self.ad or {}).get("owner") or {}
        name = schema_org.text(owner.get("store_name")) or schema_org.text(owner.get("name"))
        if name is None:
            self.missing("seller", "ad.owner has no name")
        return name

    def availability(self) -> str | None:
        if self.status == "active":
            return "InStock"
        if self.status in _SOLD_STATUS:
            return "SoldOut"
        if self.status:
            self.reasons.append(f"unknown ad status {self.status!r}")
        return None


class LeboncoinJsonLdPage(LeboncoinPage):
    """A page without Next.js data (older or trimmed): the JSON-LD Product."""

    @cached_property
    def product(self) -> dict | None:
        return schema_org.jsonld_product(self.tree.root, base_url=self.page.url)

    @cached_property
    def offer(self) -> dict | None:
        found = schema_org.offers(self.product)
        return found[0] if found else None

    def is_product_page(self) -> bool:
        return self.product is not None

    def title(self) -> str | None:
        return schema_org.text((self.product or {}).get("name"))

    def price(self) -> Decimal | None:
        amount = schema_org.price(self.offer, decimal_separator=",")
        if amount is None:
            self.missing("price", "no price in the JSON-LD offer")
        return amount

    def currency(self) -> str | None:
        return schema_org.currency(self.offer) or "EUR"

    def shipping_fee(self) -> Decimal | None:
        return schema_org.shipping_fee(self.offer, decimal_separator=",")

    def seller(self) -> str | None:
        return schema_org.seller(self.offer)

    def availability(self) -> str | None:
        return schema_org.availability(self.offer)


def leboncoin_page(page: PageInput) -> LeboncoinPage:
    text = page.text
    if "__NEXT_DATA__" in text:
        return LeboncoinNextDataPage(page)
    if "application/ld+json" in text:
        return LeboncoinJsonLdPage(page)
    return LeboncoinPage(page)


MARKETPLACE = Marketplace(
    name="leboncoin",
    domains=DOMAINS,
    page=leboncoin_page,
    needs_browser=True,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=3.0,
)


class LeboncoinSpider(ListingSpider):
    name = "leboncoin"
    marketplace = MARKETPLACE
