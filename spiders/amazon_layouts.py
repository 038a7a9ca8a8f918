"""Amazon buy-box layouts: the classic `#priceblock_*` / `#merchant-info` one and the `corePrice` one.

Each reads price, seller and delivery fee from its own buy box only: an unavailable page still
shows `.a-price-whole` in carousels and "other sellers" widgets, which must never become the price.
"""
from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from spiders.amazon_page import AmazonPage, text_of

_FREE = ("gratuite", "gratuit", "free", "kostenlos", "kostenfrei", "gratis", "gratuita", "gratuito",
         "darmowa", "ücretsiz", "grátis")
# "Livraison gratuite dès EUR 25 d'achats": free only above an amount the buyer may not reach
_CONDITIONAL = ("dès", "over ", "ab ", "à partir de", "a partir de", "on orders", "d'achats",
                "sopra", "desde", "for prime", "pour les membres prime", "für prime", "orders over")
_MONEY_TOKEN = re.compile(
    r"(?:R\$|US\$|[€£$₹¥]|EUR|GBP|USD|CAD|INR|SEK|PLN|TRY|TL|zł|kr)\s*\d[\d.,\u00a0\u202f ]*"
    r"|\d[\d.,\u00a0\u202f ]*\s*(?:€|£|\$|EUR|zł|kr|TL)"
)

# "Vendu par X et expédié par Amazon", "Sold by X and Fulfilled by Amazon", "Verkauf durch X und ..."
_SOLD_BY = re.compile(
    r"(?:vendu|sold|verkauf|venduto|vendido|verkocht|sprzedawany)\s+(?:par|by|durch|da|por|door|przez)\s+"
    r"(?P<name>.+?)(?:\s+(?:et|and|und|e|y|en|i)\s+(?:expédié|fulfilled|shipped|dispatched|versand|spedito"
    r"|enviado|verzonden|wysyłany)\b.*|(?<=\w\w)\s*\.\s+\S.*$|\s*\.?\s*$)",
    re.I,
)
# "Verkauf und Versand durch Amazon", "Venduto e spedito da Amazon": one name for both roles
_SOLD_AND_SHIPPED_BY = re.compile(
    r"(?:verkauf|venduto|vendido|vendu|sold|verkocht)\s+(?:und|e|y|et|and|en)\s+(?:versand|spedito|enviado"
    r"|expédié|shipped|dispatched|verzonden)\s+(?:durch|da|por|par|by|door)\s+(?P<name>.+?)\s*\.?\s*$",
    re.I,
)
_SELLER_CLEANUP = re.compile(r"[\s.]+$")
_MEDIA_PRICE = etree.XPath(".//span[(contains(@class, 'offer-price') or contains(@class, 'header-price'))"
                           " and not(contains(@class, 'rentPrice'))]")
_MEDIA_SHIPPING = etree.XPath(".//span[contains(@class, 'buyboxShippingLabel')"
                              " or (contains(@class, 'shipping3P') and not(contains(@class, 'a-hidden')))]")


def seller_from_merchant_info(text: str) -> str | None:
    """The seller named by a #merchant-info sentence, or None."""
    match = _SOLD_AND_SHIPPED_BY.search(text) or _SOLD_BY.search(text)
    if not match:
        return None
    return _SELLER_CLEANUP.sub("", match.group("name")) or None


class AmazonLayout(AmazonPage):
    """Seller and delivery fee readers both layouts fall back on."""

    SHIPPING_IDS: tuple[str, ...] = ()

    def buy_section(self, finder, levels: int = 14):
        """The nearest ancestor of the buy button that holds what `finder` looks for, or None."""
        button = self.el("add-to-cart-button")
        if button is None:
            return None
        for depth, ancestor in enumerate(button.iterancestors()):
            if depth >= levels or ancestor.get("id") in ("ppd", "dp-container", "dp"):
                return None
            if finder(ancestor):
                return ancestor
        return None

    def read_seller(self) -> str | None:
        # the newer offer-display rows ("Vendeur" / "Sold by") come first, then the older sentence
        for row in self.tree.xpath("//*[@offer-display-feature-name='desktop-merchant-info']"
                                   "//span[contains(@class, 'offer-display-feature-text-message')]"):
            if text_of(row):
                return text_of(row)
        link = self.el("sellerProfileTriggerId")
        if link is not None and text_of(link):
            return text_of(link)
        info = text_of(self.el("merchant-info"))
        if info:
            seller = seller_from_merchant_info(info)
            if seller:
                return seller
            self.missing("seller", f"unrecognised #merchant-info {info[:60]!r}")
            return None
        if self.has_buy_button():
            self.missing("seller", "no #merchant-info, #sellerProfileTriggerId or offer-display seller row")
        return None

    def read_shipping(self) -> Decimal | None:
        for id_ in self.SHIPPING_IDS:
            message = text_of(self.el(id_))
            if message:
                return self.fee_from_message(message, f"#{id_}")
        if self.has_buy_button():
            self.missing("shipping_fee", "no delivery message in the buy box")
        return None

    def fee_from_message(self, message: str, where: str) -> Decimal | None:
        folded = message.casefold()
        token = _MONEY_TOKEN.search(message)
        if any(word in folded for word in _FREE):
            if any(word in folded for word in _CONDITIONAL):
                self.missing("shipping_fee", f"conditional free delivery in {where}")
                return None
            if token is None or folded.find("free") < folded.find(token.group().casefold()):
                return Decimal("0.00")
        if token:
            amount, _ = self.parse_money(token.group())
            if amount is not None:
                return amount
        self.missing("shipping_fee", f"no fee in {where} {message[:50]!r}")
        return None

    @staticmethod
    def _price_in(block) -> str | None:
        # the price to pay, never the struck-through list price (.a-text-price)
        prices = block.xpath(".//span[contains(@class, 'priceToPay') or contains(@class, 'apexPriceToPay')]"
                             " | .//span[contains(@class, 'a-price') and not(contains(@class, 'a-text-price'))"
                             " and not(ancestor::span[contains(@class, 'a-price')])]")
        for price in prices:
            offscreen = text_of(next(iter(price.xpath(".//span[contains(@class, 'a-offscreen')]")), None))
            if any(ch.isdigit() for ch in offscreen):
                return offscreen
            # an empty .a-offscreen: the visible parts "33" "," "69" "€" read together
            shown = text_of(next(iter(price.xpath("./span[@aria-hidden='true']")), None)).replace(" ", "")
            if any(ch.isdigit() for ch in shown):
                return shown
        return None

    def unavailable_price_reason(self, where: str) -> None:
        if self.el("outOfStock") is not None or not self.has_buy_button():
            self.missing("price", "no buy box (offer currently unavailable)")
        else:
            self.missing("price", f"no {where} block")


class ClassicBuyBox(AmazonLayout):
    """2015–2021 pages: `#priceblock_ourprice`, `#price_inside_buybox`, `#merchant-info`."""

    PRICE_IDS = ("price_inside_buybox", "newBuyBoxPrice", "priceblock_ourprice", "priceblock_dealprice",
                 "priceblock_saleprice", "priceblock_pospromoprice", "kindle-price", "sns-base-price")
    SHIPPING_IDS = ("price-shipping-message", "ourprice_shippingmessage", "dealprice_shippingmessage",
                    "saleprice_shippingmessage", "deliveryBlockMessage", "mir-layout-DELIVERY_BLOCK")

    def price_text(self) -> str | None:
        for id_ in self.PRICE_IDS:
            text = text_of(self.el(id_))
            if text:
                return text
        text = self.media_price_text() or self.undeliverable_price_text()
        if text:
            return text
        self.unavailable_price_reason("#priceblock_ourprice / #price_inside_buybox")
        return None

    def undeliverable_price_text(self) -> str | None:
        """The price an undeliverable buy box still shows (a page fetched from abroad)."""
        if self.undeliverable_box is None:
            return None
        return self._price_in(self.undeliverable_box)

    def media_price_text(self) -> str | None:
        """Books, music and films: the price of the buy-box section holding the add-to-cart button (the active
        accordion row, `#buyNewSection`, `#mediaNoAccordion`), never the rent or used rows beside it."""
        section = self.buy_section(_MEDIA_PRICE)
        if section is None:
            return None
        return text_of(_MEDIA_PRICE(section)[0]) or None

    def read_shipping(self) -> Decimal | None:
        section = self.buy_section(_MEDIA_SHIPPING)
        if section is not None and not any(text_of(self.el(i)) for i in self.SHIPPING_IDS):
            return self.fee_from_message(text_of(_MEDIA_SHIPPING(section)[0]), "the buy box's delivery label")
        return super().read_shipping()


class CorePriceBuyBox(AmazonLayout):
    """2021+ pages: `#corePrice*` blocks, offer-display seller rows, `#mir-layout-DELIVERY_BLOCK`."""

    PRICE_BLOCKS = ("corePrice_feature_div", "corePriceDisplay_desktop_feature_div", "corePrice_desktop",
                    "apex_desktop")
    SHIPPING_IDS = ("deliveryBlockMessage", "mir-layout-DELIVERY_BLOCK", "price-shipping-message")

    def price_text(self) -> str | None:
        for block in [self.el(i) for i in self.PRICE_BLOCKS] + [self.undeliverable_box]:
            if block is None:
                continue
            text = self._price_in(block)
            if text:
                return text
        self.unavailable_price_reason("#corePrice")
        return None

    def read_shipping(self) -> Decimal | None:
        block = self.el("mir-layout-DELIVERY_BLOCK")
        if block is not None:
            prices = block.xpath(".//*[@data-csa-c-delivery-price]/@data-csa-c-delivery-price")
            if prices and prices[0].strip():
                return self.fee_from_message(prices[0], "data-csa-c-delivery-price")
        return super().read_shipping()
