"""The generic reader for any schema.org product page (JSON-LD, microdata or OpenGraph).

Also the base adapters build on: a marketplace page object may subclass `GenericPage`
and override only what its site does differently.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from lxml import etree

from crawler.listing_spider import ListingSpider
from detector.model import Offer
from spiders import schema_org, soft404, walls
from spiders.marketplace import Marketplace
from spiders.page import UNAVAILABLE, ProductPage
from spiders.schema_org import StructuredData

# shown near the buy box when the offer cannot be bought; compared folded (soft404.fold)
UNAVAILABLE_WORDS: tuple[str, ...] = (
    "actuellement indisponible", "rupture de stock", "temporairement indisponible", "produit indisponible",
    "epuise", "currently unavailable", "out of stock", "sold out", "temporarily unavailable",
    "derzeit nicht verfugbar", "ausverkauft", "agotado", "esaurito",
)
BUY_WORDS: tuple[str, ...] = (
    "add to cart", "add to basket", "add to bag", "buy now", "buy it now", "ajouter au panier", "acheter",
    "commander", "in den warenkorb", "jetzt kaufen", "sofort-kaufen", "anadir al carrito", "aggiungi al carrello",
)
_BUY_ATTRIBUTE = re.compile(r"add[-_ ]?to[-_ ]?(?:cart|basket|bag)|buy[-_ ]?(?:now|button)|addtocart", re.I)
_CONTROLS = etree.XPath(
    "//button[not(@disabled)] | //input[(@type='submit' or @type='button') and not(@disabled)]"
    " | //a[@class or @id]"
)


class GenericPage(ProductPage):
    marketplace = "generic"
    syntaxes: tuple[str, ...] = schema_org.SYNTAXES
    # adapters add their site's own removal wording and search URLs
    gone_words: tuple[str, ...] = ()
    search_paths: tuple[str, ...] = ()
    search_keys: tuple[str, ...] = ()
    unavailable_words: tuple[str, ...] = UNAVAILABLE_WORDS
    buy_words: tuple[str, ...] = BUY_WORDS

    # -- structured data, read once ----------------------------------------------------------
    @cached_property
    def data(self) -> StructuredData:
        return schema_org.read(self.tree, base_url=self.page.url, syntaxes=self.syntaxes)

    @cached_property
    def product(self) -> dict | None:
        return self.data.product()

    @cached_property
    def offer_nodes(self) -> list[dict]:
        return schema_org.offers(self.product)

    @cached_property
    def main_offer(self) -> dict | None:
        """The buy box: the first offer with a price, else the first offer."""
        priced = (
            o for o in self.offer_nodes
            if schema_org.has_price(o, decimal_separator=self.decimal_separator)
        )
        return next(priced, self.offer_nodes[0] if self.offer_nodes else None)

    @cached_property
    def tracked_offer(self) -> dict | None:
        """The registered seller's own offer when the page lists it, else the buy box."""
        if self.page.seller:
            for node in self.offer_nodes:
                name = schema_org.seller(node)
                if name and self.sells(self.page.seller, name, ()):
                    return node
        return self.main_offer

    def has_product_data(self) -> bool:
        return self.product is not None or self.data.og_product()

    # -- judgement -------------------------------------------------------------------------
    def wall(self) -> str | None:
        """A challenge page carries no schema.org product: on a page that does, only the response headers can
        say it is a wall, and the body is not scanned for challenge markup (a review form's reCAPTCHA is not one)."""
        if self.product is not None:
            return walls.header_wall(self.page.headers, self.page.text)
        return super().wall()

    def gone(self) -> str | None:
        page = self.page
        redirect = soft404.redirect_gone(
            page.requested_url,
            page.url,
            has_product=self.has_product_data(),
            extra_search_paths=self.search_paths,
            extra_search_keys=self.search_keys,
        )
        if redirect or self.has_product_data():
            return redirect
        return soft404.says_gone(f"{self.page_title or ''} {self.visible_text}", self.gone_words)

    def is_product_page(self) -> bool:
        return self.has_product_data()

    def not_product_reason(self) -> str:
        return "no product data"

    # -- fields ----------------------------------------------------------------------------
    def title(self) -> str | None:
        return schema_org.text((self.product or {}).get("name")) or self.data.og("og:title") or self.page_title

    def price(self) -> Decimal | None:
        amount = schema_org.price(self.main_offer, decimal_separator=self.decimal_separator)
        if amount is None:
            amount, _ = self.data.og_price(decimal_separator=self.decimal_separator)
        return amount

    def currency(self) -> str | None:
        return schema_org.currency(self.main_offer) or self.data.og_currency()

    def shipping_fee(self) -> Decimal | None:
        return schema_org.shipping_fee(self.main_offer, decimal_separator=self.decimal_separator)

    def seller(self) -> str | None:
        return schema_org.seller(self.main_offer)

    def availability(self) -> str | None:
        """Structured availability wins; without it, visible wording with no buy button."""
        word = schema_org.availability(self.tracked_offer) or self.data.og_availability()
        if word:
            return word
        if self.says_unavailable() and not self.has_buy_button():
            return "OutOfStock"
        return None

    def offers(self) -> list[Offer]:
        found = []
        for node in self.offer_nodes:
            word = schema_org.availability(node)
            found.append(Offer(
                seller=schema_org.seller(node),
                price=schema_org.price(node, decimal_separator=self.decimal_separator),
                currency=schema_org.currency(node),
                shipping_fee=schema_org.shipping_fee(node, decimal_separator=self.decimal_separator),
                available=None if word is None else word not in UNAVAILABLE,
            ))
        return found

    # -- visible page ----------------------------------------------------------------------
    def says_unavailable(self) -> bool:
        text = soft404.fold(self.visible_text)
        return any(soft404.fold(word) in text for word in self.unavailable_words)

    def has_buy_button(self) -> bool:
        words = [soft404.fold(w) for w in self.buy_words]
        for control in _CONTROLS(self.tree):
            if control.get("aria-disabled") == "true":
                continue
            attributes = " ".join(control.get(a) or "" for a in ("id", "class", "name"))
            if _BUY_ATTRIBUTE.search(attributes):
                return True
            if control.tag == "a":
                continue  # links count by their id or class only: "acheter" is a common menu word
            label = soft404.fold(" ".join(control.itertext()) + " " + (control.get("value") or ""))
            if any(word in label for word in words):
                return True
        return False


MARKETPLACE = Marketplace(name="generic", domains=(), page=GenericPage)


class GenericSpider(ListingSpider):
    name = "generic"
    marketplace = MARKETPLACE
