"""eBay item pages, one small class per layout (picked by `spiders.ebay.ebay_page`).

- `EbayPage`: what every layout shares: walls, ended listings, redirects, money in eBay's formats.
  On its own it is the page of an unknown layout (a wall, an ended or removed listing).
- `EbayClassicPage`: the 2019–2022 "VI" page: `#prcIsum`, microdata, `#fshippingCost`, `.mbg-nw`.
- `EbayModernPage`: the 2023+ page: `.x-price-primary`, `.ux-textspans`, `.x-sellercard-atf`.
- `EbayJsonLdPage`: the 2026 page, modern markup plus a JSON-LD Offer with its shipping rate.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from detector.model import Offer
from spiders import money, schema_org, walls
from spiders.ebay_sites import currency_in, decimal_separator, site_currency, site_tld
from spiders.page import ProductPage

_ITEM_PATH = re.compile(r"/itm/(?:[^/?#]+/)?(\d{9,15})(?:[/?#.]|$)")
# the cents are always written: the character before the last two digits is the decimal separator
_CENTS = re.compile(r"\d([.,])\d{2}(?!\d)")
_FREE_WORDS = ("free", "gratuit", "kostenlos", "gratis", "gratuito", "darmowa", "bezpłatn")

_ENDED = (
    "Cette annonce est terminée", "Le vendeur a mis fin à cette annonce",
    "L'objet que vous recherchez n'est plus disponible", "L’objet que vous recherchez n’est plus disponible",
    "This listing has ended", "This listing was ended by the seller",
    "The item you're looking for is no longer available", "Dieses Angebot wurde beendet",
    "Der Verkäufer hat dieses Angebot beendet", "Questa inserzione è terminata", "Esta publicación ha finalizado",
    # auctions that ran out, listings ended early or sold, in the seed sites' languages
    "Bidding has ended on this item", "Bidding has ended", "This listing sold on", "This item is no longer available",
    "Les enchères sur cet objet sont terminées", "Les enchères sont terminées", "Cette vente est terminée",
    "Die Auktion ist beendet", "Dieses Angebot ist beendet", "Der Verkäufer hat dieses Angebot vorzeitig beendet",
    "Il venditore ha chiuso questa inserzione", "Le offerte per questo oggetto sono terminate",
    "Questa inserzione è stata chiusa", "La subasta ha finalizado", "Las pujas por este artículo han finalizado",
    "El vendedor ha finalizado esta publicación", "Esta publicación fue finalizada por el vendedor",
)
_OUT_OF_STOCK = (
    "This item is out of stock", "Out of stock", "Cet objet est en rupture de stock", "Rupture de stock",
    "Épuisé", "Ausverkauft", "Esaurito", "Agotado",
)
_WALL_MARKERS = (
    ("eBay bot challenge", re.compile(r"Pardon Our Interruption|Checking your browser before you access eBay", re.I)),
    ("eBay captcha", re.compile(r"/splashui/(?:captcha|challenge)|hcaptcha\.com/1/api\.js|id=[\"']?captcha_form", re.I)),
)


def _text_contains(phrases: tuple[str, ...]) -> str:
    """An XPath over visible text nodes (not scripts, not attributes) holding one of the phrases."""
    tests = " or ".join(f'contains(., "{p}")' for p in phrases)
    return f"//body//text()[{tests}][not(ancestor::script) and not(ancestor::style)]"


_ENDED_XPATH = _text_contains(_ENDED)
_OUT_OF_STOCK_XPATH = _text_contains(_OUT_OF_STOCK)


def squash(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.replace("\xa0", " ").split())
    return text or None


class EbayPage(ProductPage):
    marketplace = "ebay"

    @cached_property
    def tree(self) -> Selector:
        return Selector(text=self.page.text)

    @cached_property
    def tld(self) -> str | None:
        return site_tld(self.page.url) or site_tld(self.page.requested_url or "")

    @property
    def decimal_separator(self) -> str:  # type: ignore[override]
        return decimal_separator(self.tld)

    # -- judgement shared by every layout -------------------------------------------------------
    def wall(self) -> str | None:
        if "/splashui/" in self.page.url:
            return "eBay bot challenge"
        text = self.page.text
        if len(text) <= walls.SMALL_PAGE:
            for reason, pattern in _WALL_MARKERS:
                if pattern.search(text):
                    return reason
        return walls.detect_wall(text, self.page.headers)

    def gone(self) -> str | None:
        redirect = self.redirect_away()
        if redirect:
            return redirect
        ended = self.tree.xpath(_ENDED_XPATH).get()
        if ended:
            return f"ended listing: {squash(ended)[:120]}"
        return None

    def redirect_away(self) -> str | None:
        """Removed items redirect to a search, category or catalogue page, or to another item."""
        if not self.page.redirected:
            return None
        wanted = _ITEM_PATH.search(urlsplit(self.page.requested_url or "").path)
        landed = _ITEM_PATH.search(urlsplit(self.page.url).path)
        if landed is None:
            return f"redirected to {urlsplit(self.page.url).path or '/'} (not an item page)"
        if wanted and wanted.group(1) != landed.group(1):
            return f"redirected to another item ({landed.group(1)})"
        return None

    def is_product_page(self) -> bool:
        return False

    def not_product_reason(self) -> str:
        return "no eBay item layout recognised (no #prcIsum, .x-price-primary or JSON-LD Product)"

    # -- helpers for the layouts -----------------------------------------------------------------
    def money(self, text: str | None) -> tuple[Decimal | None, str | None]:
        """eBay money text ("20,00 EUR", "US $136.00", "EUR 164,00") to (amount, ISO code)."""
        text = squash(text)
        if not text:
            return None, None
        cents = _CENTS.search(text)
        separator = cents.group(1) if cents else self.decimal_separator
        amount, code = money.parse(text, decimal_separator=separator)
        return amount, currency_in(text) or code

    def fee(self, text: str | None) -> Decimal | None:
        """A delivery fee: 0 when the text says free, else the amount, else None."""
        text = squash(text)
        if not text:
            return None
        if any(word in text.casefold() for word in _FREE_WORDS):
            return Decimal("0.00")
        amount, _ = self.money(text)
        return amount

    def out_of_stock_text(self) -> bool:
        return bool(self.tree.xpath(_OUT_OF_STOCK_XPATH).get())

    def offers(self) -> list[Offer]:
        seller = self.seller()
        if seller is None:
            return []
        price, currency = self.price(), self.currency()
        return [Offer(seller=seller, price=price, currency=currency, shipping_fee=self.shipping_fee())]

    def missing(self, field: str, why: str) -> None:
        reason = f"{field} not found: {why}"
        if reason not in self.reasons:  # a field method may be asked twice (main offer and offers list)
            self.reasons.append(reason)


class EbayClassicPage(EbayPage):
    """The 2019–2022 layout: `#prcIsum` with microdata, `#fshippingCost`, `.mbg-nw` seller."""

    _PRICE = ('//*[@id="prcIsum"]', '//*[@id="mm-saleDscPrc"]', '//*[@id="prcIsum_bidPrice"]')

    def is_product_page(self) -> bool:
        return bool(self.tree.xpath('//*[@id="itemTitle"] | //*[@id="prcIsum"] | //*[@id="mm-saleDscPrc"]'))

    def title(self) -> str | None:
        title = self.tree.xpath('string(//*[@id="vi-lkhdr-itmTitl"])').get()
        if not squash(title):
            title = " ".join(self.tree.xpath('//h1[@id="itemTitle"]/text()').getall())
        return squash(title)

    @cached_property
    def _price_node(self) -> Selector | None:
        for xpath in self._PRICE:
            found = self.tree.xpath(xpath)
            if found:
                return found[0]
        return None

    @cached_property
    def _price(self) -> tuple[Decimal | None, str | None]:
        node = self._price_node
        if node is None:
            self.missing("price", "no #prcIsum block")
            return None, None
        amount, code = self.money(node.xpath("string()").get())
        if amount is None:
            amount = money.decimal_or_none(node.attrib.get("content"))
        if amount is None:
            self.missing("price", "#prcIsum holds no amount")
        return amount, code

    def price(self) -> Decimal | None:
        return self._price[0]

    def currency(self) -> str | None:
        code = self.tree.xpath('//*[@itemprop="priceCurrency"]/@content').get()
        return (code or "").strip().upper() or self._price[1] or site_currency(self.tld)

    def shipping_fee(self) -> Decimal | None:
        cost = self.tree.xpath('string(//*[@id="fshippingCost"])').get()
        fee = self.fee(cost)
        if fee is None:
            summary = squash(self.tree.xpath('string(//*[@id="shSummary"])').get()) or "no #fshippingCost"
            self.missing("shipping_fee", summary[:80])
        return fee

    def seller(self) -> str | None:
        for xpath in (
            '//div[contains(@class, "si-inner")]//span[@class="mbg-nw"]',
            '//*[@id="mbgLink"]',
            '//span[@class="mbg-nw"]',
        ):
            name = squash(self.tree.xpath(xpath).xpath("string()").get())
            if name:
                return name
        self.missing("seller", "no .mbg-nw seller badge")
        return None

    def availability(self) -> str | None:
        word = schema_org.normalise_availability(self.tree.xpath('//*[@itemprop="availability"]/@content').get())
        if word:
            return word
        return "OutOfStock" if self.out_of_stock_text() else None


class EbayModernPage(EbayPage):
    """The 2023+ layout: `.x-price-primary`, `.x-sellercard-atf`, shipping in `.ux-labels-values--shipping`."""

    def is_product_page(self) -> bool:
        return bool(self.tree.css(".x-item-title, .x-price-primary"))

    def title(self) -> str | None:
        return squash(self.tree.css("h1.x-item-title__mainTitle").xpath("string()").get())

    @cached_property
    def _price(self) -> tuple[Decimal | None, str | None]:
        node = self.tree.css(".x-price-primary")
        if not node:
            self.missing("price", "no .x-price-primary block")
            return None, None
        amount, code = self.money(node[0].css(".ux-textspans").xpath("string()").get())
        if amount is None:
            self.missing("price", ".x-price-primary holds no amount")
        return amount, code

    def price(self) -> Decimal | None:
        return self._price[0]

    def currency(self) -> str | None:
        return self._price[1] or site_currency(self.tld)

    def shipping_fee(self) -> Decimal | None:
        values = self.tree.css(".ux-labels-values--shipping .ux-labels-values__values-content")
        if not values:
            self.missing("shipping_fee", "no .ux-labels-values--shipping block")
            return None
        first = values[0].css(".ux-textspans").xpath("string()").get()
        fee = self.fee(first)
        if fee is None:
            fee = self.fee(values[0].xpath("string()").get())
        if fee is None:
            self.missing("shipping_fee", "shipping block holds no amount")
        return fee

    def seller(self) -> str | None:
        name = self.card_seller()
        if name is None:
            self.missing("seller", "no .x-sellercard-atf seller card")
        return name

    def card_seller(self) -> str | None:
        card = self.tree.css(".x-sellercard-atf")
        for node in (
            card.css(".x-sellercard-atf__info__about-seller a .ux-textspans"),
            card.xpath('.//a[contains(@href, "/usr/") or contains(@href, "/str/")]'),
            self.tree.css(".x-store-information__store-name"),
        ):
            name = squash(node.xpath("string()").get())
            if name:
                return name
        inline = re.search(r'"sellerUserName"\s*:\s*"([^"]+)"', self.page.text)
        return inline.group(1) if inline else None

    def availability(self) -> str | None:
        if self.out_of_stock_text():
            return "OutOfStock"
        if self.tree.css(".x-bin-action, .x-atc-action, .x-bid-action"):
            return "InStock"
        return None


class EbayJsonLdPage(EbayModernPage):
    """The 2026 layout: the JSON-LD Offer is read first, the modern markup fills what it lacks."""

    @cached_property
    def _product_node(self) -> dict | None:
        data = schema_org.read(self.tree.root, base_url=self.page.url, syntaxes=("json-ld",))
        # a list, not the tuple StructuredData holds: schema_org.products() walks lists only
        found = schema_org.products(list(data.jsonld))
        return next((p for p in found if schema_org.offers(p)), found[0] if found else None)

    @cached_property
    def _offer(self) -> dict | None:
        found = schema_org.offers(self._product_node)
        return found[0] if found else None

    def title(self) -> str | None:
        return super().title() or squash(schema_org.text((self._product_node or {}).get("name")))

    def price(self) -> Decimal | None:
        amount = schema_org.price(self._offer)
        return amount if amount is not None else super().price()

    def currency(self) -> str | None:
        return schema_org.currency(self._offer) or super().currency()

    def shipping_fee(self) -> Decimal | None:
        fee = schema_org.shipping_fee(self._offer)
        return fee if fee is not None else super().shipping_fee()

    def seller(self) -> str | None:
        name = self.card_seller() or schema_org.seller(self._offer)
        if name is None:
            self.missing("seller", "no .x-sellercard-atf seller card, no seller in JSON-LD")
        return name

    def availability(self) -> str | None:
        return schema_org.availability(self._offer) or super().availability()
