"""The shape French retail marketplaces share: JSON-LD Product + a visible price + a "Vendu par" line.

Cdiscount, Fnac/Darty, La Redoute, ManoMano and Conforama each subclass `FrRetailPage` and
fill in a few class attributes (XPaths of their price, seller, shipping and buy-box blocks,
their out-of-stock words); the judgement and the fallbacks live here once.

Order of trust, on every field: what the buyer sees (the site's own block) first, then
JSON-LD, because several of these sites leave a stale or pre-discount price in JSON-LD.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from detector.model import Offer
from spiders import money, schema_org, soft404, walls
from spiders.page import ProductPage

FREE_WORDS = ("gratuit", "gratuite", "offert", "offerte", "free")
SELLER_LINE = re.compile(r"(?:vendu|vendue)\s+(?:et\s+exp[ée]di[ée]e?\s+)?par\s*:?\s*(.+)", re.I)
MACHINE_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
# "109<sup>€26</sup>": the euro sign stands where the decimal comma goes
_EURO_AS_COMMA = re.compile(r"(\d)\s*€\s*(\d{2})(?!\d)")
# DataDome answers with a ~1 KB page titled just the domain ("cdiscount.com")
_DOMAIN_TITLE = re.compile(r"<title>\s*(?:www\.)?[a-z0-9-]+\.[a-z.]{2,6}\s*</title>", re.I)


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


class FrRetailPage(ProductPage):
    """Base page object of the French retail sites; subclasses set the class attributes below."""

    decimal_separator = ","
    default_currency = "EUR"
    brand: str | None = None  # "laredoute": with `tlds`, tells the national site of a URL
    tlds: tuple[str, ...] = ()
    host_currencies: tuple[tuple[str, str], ...] = ()  # national sites not in euros: (("co.uk", "GBP"),)
    dot_decimal_tlds: tuple[str, ...] = ()  # national sites writing "£89.00", not "89,00 €"
    house_seller: str | None = None  # who sells when the page names no third party
    # XPaths, tried in order; the first that yields text wins
    title_xpaths: tuple[str, ...] = ("//h1",)
    price_xpaths: tuple[str, ...] = ()
    seller_xpaths: tuple[str, ...] = ()  # nodes holding just the seller's name
    seller_line_xpaths: tuple[str, ...] = ()  # blocks where a "Vendu (et expédié) par X" line may sit
    shipping_xpaths: tuple[str, ...] = ()
    buybox_xpaths: tuple[str, ...] = ()  # where out-of-stock words count (not carousels of other items)
    buy_button_xpaths: tuple[str, ...] = ()
    unavailable_words: tuple[str, ...] = (
        "produit épuisé", "stock épuisé", "rupture de stock", "actuellement indisponible",
        "produit indisponible", "indisponible en ligne", "n'est plus disponible", "épuisé",
    )
    gone_words: tuple[str, ...] = ()
    # a removed product redirects to its category: product and category URL paths of the site
    product_path: re.Pattern[str] | None = None
    category_path: re.Pattern[str] | None = None
    search_paths: tuple[str, ...] = ()

    # -- parsing, once ---------------------------------------------------------------------
    @cached_property
    def tree(self) -> etree._Element:
        # from the decoded text: bytes without a <meta charset> would be read as Latin-1
        for source in (self.page.text, self.page.body):
            try:
                return lxml.html.document_fromstring(source)
            except (etree.ParserError, ValueError):  # ValueError: str with an XML encoding declaration
                continue
        return lxml.html.document_fromstring("<html><body></body></html>")

    @cached_property
    def data(self) -> schema_org.StructuredData:
        # JSON-LD only: these sites carry no useful microdata, and extruct's microdata pass is slow
        return schema_org.read(self.tree, base_url=self.page.url, syntaxes=("json-ld",))

    @cached_property
    def product_node(self) -> dict | None:
        return self.data.product()

    @cached_property
    def main_offer(self) -> dict | None:
        found = schema_org.offers(self.product_node)
        return found[0] if found else None

    def first_text(self, xpaths: tuple[str, ...]) -> str | None:
        for xpath in xpaths:
            for node in self.tree.xpath(xpath):
                value = node if isinstance(node, str) else " ".join(node.itertext())
                value = squash(str(value))
                if value:
                    return value
        return None

    def texts(self, xpaths: tuple[str, ...]) -> str:
        parts = []
        for xpath in xpaths:
            for node in self.tree.xpath(xpath):
                parts.append(node if isinstance(node, str) else " ".join(node.itertext()))
        return squash(" ".join(parts))

    # -- judgement ----------------------------------------------------------------------------
    def wall(self) -> str | None:
        found = walls.detect_wall(self.page.text, self.page.headers)
        if found:
            return found
        text = self.page.text
        if len(text) < 5_000 and _DOMAIN_TITLE.search(text) and "datadome" in text.casefold():
            return "DataDome captcha"
        return None

    @cached_property
    def has_product(self) -> bool:
        return self.product_node is not None or self.visible_price_text is not None

    def gone(self) -> str | None:
        moved = self.redirected_to_category() or soft404.redirect_gone(
            self.page.requested_url, self.page.url, has_product=self.has_product,
            extra_search_paths=self.search_paths,
        )
        if moved:
            return moved
        if self.has_product:
            return None
        # the visible text only: scripts hold words like "searchAutoCompleteGroups" and removal wording of
        # templates the page is not showing
        text = " ".join(self.tree.xpath("//body//text()[not(ancestor::script or ancestor::style"
                                        " or ancestor::noscript or ancestor::template)]"))
        return soft404.says_gone(text, self.gone_words)

    def redirected_to_category(self) -> str | None:
        requested, final = self.page.requested_url, self.page.url
        if not (requested and self.product_path and self.category_path):
            return None
        final_path = urlsplit(final).path
        if self.product_path.search(urlsplit(requested).path) and not self.product_path.search(final_path):
            if self.category_path.search(final_path):
                return f"redirected to a category page ({final})"
        return None

    def is_product_page(self) -> bool:
        return self.has_product

    def not_product_reason(self) -> str:
        return "price not found: no JSON-LD Product and no price block"

    # -- fields -----------------------------------------------------------------------------
    def title(self) -> str | None:
        name = schema_org.text(self.product_node.get("name")) if self.product_node else None
        return name or self.first_text(self.title_xpaths)

    @cached_property
    def visible_price_text(self) -> str | None:
        return self.first_text(self.price_xpaths)

    def parse_money(self, text: str | None) -> tuple[Decimal | None, str | None]:
        if text:
            text = _EURO_AS_COMMA.sub(r"\1,\2 €", text)
        return money.parse(text, decimal_separator=self.site_decimal_separator)

    @cached_property
    def site_decimal_separator(self) -> str | None:
        host = self.national_host()
        if host and any(host.endswith("." + tld) for tld in self.dot_decimal_tlds):
            return "."
        return self.decimal_separator

    def national_host(self) -> str | None:
        return national_host(self.page.url, self.brand, self.tlds) if self.brand else None

    def amount(self, text: str | None) -> Decimal | None:
        """A `content="379.99"` attribute exactly; shown text ("1 299,99 €") in the site's format."""
        if text and MACHINE_AMOUNT.fullmatch(text.strip()):
            return Decimal(text.strip())
        amount, _ = self.parse_money(text)
        return amount

    def price(self) -> Decimal | None:
        amount = self.amount(self.visible_price_text)
        if amount is not None:
            return amount
        amount = schema_org.price(self.main_offer)
        if amount is None:
            self.reasons.append("price not found: no price block and no JSON-LD offer price")
        return amount

    def currency(self) -> str | None:
        _, code = self.parse_money(self.visible_price_text)
        return code or schema_org.currency(self.main_offer) or self.site_currency()

    def site_currency(self) -> str:
        host = self.national_host()
        for tld, code in self.host_currencies:
            if host and host.endswith("." + tld):
                return code
        return self.default_currency

    def shipping_fee(self) -> Decimal | None:
        return self.fee_from_text(self.first_text(self.shipping_xpaths))

    def fee_from_text(self, text: str | None) -> Decimal | None:
        """"Livraison gratuite" → 0; "Livraison à domicile : 39,00 €" → 39.00."""
        if not text:
            return None
        amount, code = self.parse_money(text)
        if amount is not None and code:  # an amount without a currency is a footnote mark, not a fee
            return amount
        folded = soft404.fold(text)
        return Decimal("0.00") if any(word in folded for word in FREE_WORDS) else None

    def seller(self) -> str | None:
        return self.shown_seller() or schema_org.seller(self.main_offer) or self.house_seller

    def shown_seller(self) -> str | None:
        name = self.first_text(self.seller_xpaths)
        if name:
            return name
        for xpath in self.seller_line_xpaths:
            for node in self.tree.xpath(xpath):
                line = SELLER_LINE.search(squash(" ".join(node.itertext())))
                if line:
                    return seller_name(line.group(1))
        return None

    @cached_property
    def buybox_text(self) -> str:
        return soft404.fold(self.texts(self.buybox_xpaths))

    def availability(self) -> str | None:
        if any(soft404.fold(word) in self.buybox_text for word in self.unavailable_words):
            return "OutOfStock"
        declared = schema_org.availability(self.main_offer)
        if declared:
            return declared
        if self.buy_button_xpaths and self.first_text(self.buy_button_xpaths):
            return "InStock"
        return None

    def can_buy(self, availability: str | None) -> bool:
        if not super().can_buy(availability):
            return False
        # no declared availability and no buy button: the page shows nothing to buy
        return availability is not None or not self.buy_button_xpaths

    def offers(self) -> list[Offer]:
        """Every offer JSON-LD declares; sites listing other sellers in HTML override this.

        A lone offer without a seller is the main offer, whose seller the page shows elsewhere.
        """
        declared = schema_org.offers(self.product_node)
        lone_seller = self.seller() if len(declared) == 1 else None
        return [
            Offer(
                seller=schema_org.seller(offer) or lone_seller,
                price=schema_org.price(offer),
                currency=schema_org.currency(offer),
                shipping_fee=schema_org.shipping_fee(offer),
                available=schema_org.availability(offer) not in ("OutOfStock", "SoldOut", "Discontinued"),
            )
            for offer in declared
        ]


def seller_name(rest: str) -> str:
    """The name at the start of what follows "Vendu par": up to the next sentence or badge."""
    name = re.split(r"\s+(?:et\s+exp|-|–|\||\(|livr|voir|\d+\s*ventes)", rest, maxsplit=1, flags=re.I)[0]
    return " ".join(name.split()[:4]).rstrip(" .,:;")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def national_host(url: str, brand: str, tlds: tuple[str, ...]) -> str | None:
    """`"www.laredoute.co.uk"` for any URL on a `brand.<tld>` host among `tlds`, else None."""
    host = host_of(url)
    for tld in sorted(tlds, key=len, reverse=True):
        domain = f"{brand}.{tld}"
        if host == domain or host.endswith("." + domain):
            return f"www.{domain}"
    return None
