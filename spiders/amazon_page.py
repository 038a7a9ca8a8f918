"""What every Amazon product page shares, whatever its buy-box layout: walls, removal, title, stock.

The page is parsed once with lxml; the elements the adapter reads are found by id in a single
XPath pass (`AmazonTree.by_id`), so a 1 MB page costs one parse plus one tree walk.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from detector.model import Offer
from spiders import walls
from spiders.page import AVAILABLE, PageInput, ProductPage

# The ids the adapter looks at anywhere on the page; everything else is read below one of them.
IDS = (
    "productTitle", "title", "dp", "dp-container", "ppd", "centerCol",
    "availability", "outOfStock", "add-to-cart-button", "buy-now-button", "add-to-cart-button-ubb",
    "buybox-see-all-buying-choices", "buybox-see-all-buying-choices-announce", "unqualifiedBuyBox",
    "rcx-subscribe-submit-button-announce", "freshAddToCartButton", "one-click-button", "kindle-price",
    "priceblock_pospromoprice", "sns-base-price",
    "corePrice_feature_div", "corePriceDisplay_desktop_feature_div", "corePrice_desktop", "apex_desktop",
    "priceblock_ourprice", "priceblock_dealprice", "priceblock_saleprice", "price_inside_buybox",
    "newBuyBoxPrice", "buybox",
    "merchant-info", "sellerProfileTriggerId", "merchantInfoFeature_feature_div", "offerDisplayFeatures_desktop",
    "sfsb_accordion_head", "tabular-buybox",
    "deliveryBlockMessage", "mir-layout-DELIVERY_BLOCK", "price-shipping-message", "ourprice_shippingmessage",
    "saleprice_shippingmessage", "dealprice_shippingmessage",
    "aod-offer-list", "mbc", "captchacharacters", "challenge-container",
)
_IDS = frozenset(IDS)
_TEXT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")

# Amazon national sites: (decimal separator, currency). Keyed by the registrable domain.
LOCALES: dict[str, tuple[str, str]] = {
    "amazon.fr": (",", "EUR"), "amazon.de": (",", "EUR"), "amazon.it": (",", "EUR"), "amazon.es": (",", "EUR"),
    "amazon.nl": (",", "EUR"), "amazon.com.be": (",", "EUR"), "amazon.be": (",", "EUR"),
    "amazon.se": (",", "SEK"), "amazon.pl": (",", "PLN"), "amazon.com.tr": (",", "TRY"),
    "amazon.com.br": (",", "BRL"), "amazon.co.uk": (".", "GBP"), "amazon.com": (".", "USD"),
    "amazon.ca": (".", "CAD"), "amazon.in": (".", "INR"), "amazon.co.jp": (".", "JPY"),
    "amazon.com.mx": (".", "MXN"), "amazon.com.au": (".", "AUD"),
}
DOMAINS = tuple(LOCALES)
_DOLLARS = {"CAD", "MXN", "AUD"}


def site_of(url: str | None) -> str | None:
    """`https://smile.amazon.co.uk/x` → "amazon.co.uk" (the longest national domain that matches)."""
    host = (urlsplit(url or "").hostname or "").lower().rstrip(".")
    matches = [d for d in DOMAINS if host == d or host.endswith("." + d)]
    return max(matches, key=len) if matches else None


def text_of(element) -> str:
    """Visible text of an element, scripts and styles left out, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join(" ".join(_TEXT(element)).split())


_WORDS_UNAVAILABLE = ("actuellement indisponible", "currently unavailable", "derzeit nicht verfügbar",
                      "nicht lieferbar", "nicht verfügbar",
                      "non disponibile", "no disponible", "niet beschikbaar", "ej tillgänglig",
                      "niedostępny", "indisponible")
_WORDS_UNDELIVERABLE = ("cannot be shipped to your selected delivery location",
                        "kann nicht an ihren ausgewählten lieferort versendet werden",
                        "ne peut pas être expédié à l'adresse de livraison sélectionnée",
                        "ne peut pas être expédié vers l'adresse de livraison sélectionnée",
                        "non può essere spedito all'indirizzo di consegna selezionato",
                        "no se puede enviar a la dirección de entrega seleccionada")
_WORDS_BACKORDER = ("temporarily out of stock", "temporairement en rupture", "vorübergehend nicht auf lager",
                    "in stock on", "en stock le", "momentaneamente non disponibile")
_WORDS_PREORDER = ("pre-order", "précommande", "pré-commande", "vorbestellbar", "preordine", "reserva",
                   "will be released on", "erscheint am", "sortie prévue", "disponible à partir du",
                   "disponibile a partire dal", "disponible el")
_WORDS_LIMITED = ("only ", "il ne reste plus que", "nur noch", "solo ", "quedan ")
_WORDS_IN_STOCK = ("in stock", "en stock", "auf lager", "disponibilità immediata", "disponibile",
                   "versandfertig", "lieferbar", "spedito entro", "se envía", "available to ship", "ships within",
                   # "Available from these sellers.": other sellers' offers only, the product can be bought
                   "available from", "erhältlich bei", "bei diesen anbietern", "disponible auprès", "disponible con",
                   "disponibile presso", "verkrijgbaar bij",
                   "op voorraad", "i lager", "dostępny", "usually dispatched", "usually ships",
                   "habituellement expédié", "généralement expédié", "disponible")
_REMOVAL_PHRASES = ("n'est plus valide", "couldn't find that page", "could not find that page",
                    "page introuvable", "page not found", "seite nicht gefunden", "pagina non trovata",
                    "no se ha encontrado", "looking for something?", "vous cherchez quelque chose ?")
_SEARCH_PATHS = re.compile(r"^/(?:s|b|gp/browse\.html|gp/search|[^/]+/b)(?:/|$)|^/?$")


class AmazonPage(ProductPage):
    """Shared by every Amazon buy-box layout; `amazon.pick_layout` chooses the subclass."""

    marketplace = "amazon"

    def __init__(self, page: PageInput, tree=None):
        super().__init__(page)
        self._tree = tree
        separator, self.site_currency = LOCALES.get(self.site or "", (None, None))
        self.decimal_separator = separator

    # -- parsing ------------------------------------------------------------------------------
    @cached_property
    def tree(self):
        if self._tree is None:
            self._tree = parse(self.page)
        return self._tree

    @cached_property
    def ids(self) -> dict[str, object]:
        found: dict[str, object] = {}
        # one walk over the elements; an XPath with 40 "or"s costs four times as much
        for element in self.tree.iter(etree.Element):
            id_ = element.get("id")
            if id_ in _IDS and id_ not in found:
                found[id_] = element
        return found

    @cached_property
    def site(self) -> str | None:
        # the canonical link names the national site even when the page was saved or fetched elsewhere
        for href in self.tree.xpath("/html/head/link[@rel='canonical']/@href")[:1]:
            if site_of(href):
                return site_of(href)
        return site_of(self.page.url)

    def el(self, id_: str):
        return self.ids.get(id_)

    def missing(self, field: str, why: str) -> None:
        self.reasons.append(f"{field} not found: {why}")

    # -- judgement ------------------------------------------------------------------------------
    def wall(self) -> str | None:
        form = self.tree.xpath("//form[contains(@action, 'validateCaptcha')]")
        if form:
            if self.el("captchacharacters") is not None or self.tree.xpath("//img[contains(@src, 'captcha')]"):
                return "Amazon image captcha"
            return "Amazon continue-shopping bot check"
        if len(self.page.body) <= walls.SMALL_PAGE:
            if self.el("challenge-container") is not None and self.tree.xpath(
                    "//script[contains(@src, 'awswaf') or contains(., 'AwsWafIntegration')]"):
                return "AWS WAF challenge"
            return walls.detect_wall(self.page.text, self.page.headers)
        return None

    def gone(self) -> str | None:
        redirect = self._redirected_away()
        if redirect:
            return redirect
        if self.is_product_page():
            return None
        if self.tree.xpath("//a[contains(@href, 'dogsofamazon')] | //img[contains(@alt, 'Dogs of Amazon')]"
                           " | //img[contains(@src, '/error/') and contains(@src, '_TTD_')]"):
            return "Amazon page-not-found (dogs) page"
        title = text_of(self.tree.find(".//title")).casefold()
        body = text_of(self.tree.find(".//body")).casefold()[:5000]
        for phrase in _REMOVAL_PHRASES:
            if phrase in title or phrase in body:
                return f"Amazon page-not-found page ({phrase!r})"
        return None

    def _redirected_away(self) -> str | None:
        if not self.page.redirected:
            return None
        from spiders.amazon import identify  # the identity rules live with the marketplace

        if identify(self.page.requested_url or "") and not identify(self.page.url):
            path = urlsplit(self.page.url).path
            if _SEARCH_PATHS.search(path):
                return f"redirected to a search/category page ({path or '/'})"
            return f"redirected away from the product ({path or '/'})"
        return None

    def is_product_page(self) -> bool:
        return any(self.el(i) is not None for i in ("productTitle", "dp", "dp-container", "ppd"))

    def not_product_reason(self) -> str:
        return "no #productTitle / #dp on the page: not an Amazon product page"

    # -- fields shared by every layout ------------------------------------------------------------
    def title(self) -> str | None:
        element = self.el("productTitle")
        return text_of(element if element is not None else self.el("title")) or None

    def currency(self) -> str | None:
        _, code = self.parse_money(self.main_price_text)
        if code in (None, "USD") and self.site_currency in _DOLLARS:
            return self.site_currency  # "$" on amazon.ca is Canadian
        return code or self.site_currency

    def price(self) -> Decimal | None:
        return self.main_price

    def seller(self) -> str | None:
        return self.main_seller

    def shipping_fee(self) -> Decimal | None:
        return self.main_shipping

    # Each field is read once: offers() and observe() both ask, reasons must not repeat.
    @cached_property
    def main_price_text(self) -> str | None:
        return self.price_text()

    @cached_property
    def main_price(self) -> Decimal | None:
        text = self.main_price_text
        if text is None:
            return None
        amount, _ = self.parse_money(text)
        if amount is None:
            self.missing("price", f"unreadable amount {text[:40]!r}")
        return amount

    @cached_property
    def main_seller(self) -> str | None:
        return self.read_seller()

    @cached_property
    def main_shipping(self) -> Decimal | None:
        return self.read_shipping()

    BUY_IDS = ("add-to-cart-button", "buy-now-button", "add-to-cart-button-ubb", "freshAddToCartButton",
               "rcx-subscribe-submit-button-announce", "one-click-button")

    def has_buy_button(self) -> bool:
        """New, used (`-ubb`), Fresh and Subscribe & Save buy boxes each have their own button."""
        return self.buy_button is not None

    @cached_property
    def buy_button(self):
        known = next((self.el(i) for i in self.BUY_IDS if self.el(i) is not None), None)
        if known is not None:
            return known
        # buy boxes of layouts not named above still post Amazon's own form fields
        return next(iter(self.tree.xpath(
            "//input[starts-with(@name, 'submit.add-to-cart') or starts-with(@name, 'submit.buy-now')"
            " or starts-with(@id, 'add-to-cart-button')][not(ancestor::*[@id='aod-offer-list'])]")), None)

    def offers_elsewhere(self) -> str | None:
        """The buy box only points to other sellers' offers ("See All Buying Options", "11 used & new from
        $18.93"): the product can be bought, at a price the page does not fix."""
        for id_ in ("buybox-see-all-buying-choices", "buybox-see-all-buying-choices-announce", "unqualifiedBuyBox"):
            element = self.el(id_)
            if element is not None:
                return f"offers only through #{id_} ({text_of(element)[:60]!r})"
        undeliverable = self.undeliverable()
        if undeliverable:
            return undeliverable
        return None

    @cached_property
    def undeliverable_box(self):
        return next(iter(self.tree.xpath("//*[starts-with(@id, 'exports_desktop_undeliverable_buybox')]")), None)

    def undeliverable(self) -> str | None:
        """The offer exists but Amazon will not ship it where the page was fetched from (a check run from
        abroad): "This item cannot be shipped to your selected delivery location". Not a sold-out offer."""
        if self.undeliverable_box is not None:
            return "the offer cannot be shipped to the fetching location (undeliverable buy box): it exists"
        box = self.el("buybox")
        text = text_of(box).casefold() if box is not None else ""
        for phrase in _WORDS_UNDELIVERABLE:
            if phrase in text:
                return f"the offer cannot be shipped to the fetching location ({phrase!r}): it exists"
        return None

    def availability_text(self) -> str:
        return " ".join(text_of(self.el(i)) for i in ("outOfStock", "availability")).strip()

    def availability(self) -> str | None:
        text = self.availability_text().casefold()
        buyable = self.has_buy_button()
        if any(w in text for w in _WORDS_BACKORDER):
            return "BackOrder" if buyable else "OutOfStock"
        if self.el("outOfStock") is not None or any(w in text for w in _WORDS_UNAVAILABLE):
            return "OutOfStock"
        if any(w in text for w in _WORDS_PREORDER):
            return "PreOrder"
        if any(w in text for w in _WORDS_LIMITED) and any(w in text for w in ("stock", "lager", "magazzino")):
            return "LimitedAvailability"
        if any(w in text for w in _WORDS_IN_STOCK):
            return "InStock"
        if buyable:
            return "InStock"
        elsewhere = self.offers_elsewhere()
        if elsewhere:
            self.reasons.append(elsewhere)
            return "InStock"
        return None

    def can_buy(self, availability: str | None) -> bool:
        # No buy box and no stock message: a layout not known here. Sold-out pages say so (#outOfStock,
        # "Currently unavailable"), so this is "stock unknown", which never raises an alert, not "unavailable".
        if availability is None:
            self.reasons.append("availability unknown: no buy button and no availability message")
            return True
        return availability in AVAILABLE

    def offers(self) -> list[Offer]:
        main = Offer(seller=self.seller(), price=self.price(), currency=self.currency(),
                     shipping_fee=self.shipping_fee(), available=self.has_buy_button())
        return [main, *self.other_offers()]

    def other_offers(self) -> list[Offer]:
        """"Other sellers" rows the static page carries (the all-offers display, the old #mbc box)."""
        offers = []
        rows = self.tree.xpath("//div[@id='aod-offer-list']//div[@id='aod-offer' or contains(@class, 'aod-offer')]"
                               " | //div[@id='mbc']//div[contains(@class, 'mbc-offer-row')]")
        for row in rows:
            seller = text_of(next(iter(row.xpath(
                ".//*[@id='aod-offer-soldBy']//a | .//*[contains(@class, 'mbcMerchantName')]")), None))
            price_el = next(iter(row.xpath(".//span[contains(@class, 'a-offscreen')]"
                                           " | .//span[contains(@class, 'a-color-price')]")), None)
            amount, code = self.parse_money(text_of(price_el) or None)
            if seller:
                offers.append(Offer(seller=seller, price=amount, currency=code or self.site_currency,
                                    available=True))
        return offers

    # -- what each layout supplies -------------------------------------------------------------------
    def price_text(self) -> str | None:
        """The buy box's price as shown ("33,69 €"), or None with a reason."""
        raise NotImplementedError

    def read_seller(self) -> str | None:
        raise NotImplementedError

    def read_shipping(self) -> Decimal | None:
        raise NotImplementedError


def parse(page: PageInput):
    """One lxml tree for the page; the declared charset wins, UTF-8 otherwise."""
    encoding = page.encoding or _charset(page.headers) or "utf-8"
    parser = lxml.html.HTMLParser(encoding=encoding)
    try:
        root = lxml.html.document_fromstring(page.body, parser=parser)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>")
    return root


def _charset(headers) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=", 1)[1].split(";")[0].strip() or None
    return None
