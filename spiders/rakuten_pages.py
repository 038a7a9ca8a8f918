"""Rakuten France product pages, one small class per layout (picked by `spiders.rakuten.rakuten_page`).

- `RakutenPage`: walls, removed products, the page's encoding (ISO-8859-1 on the classic pages),
  the JSON-LD offers; on its own, the page of an unknown layout.
- `RakutenBuyBoxPage`: the classic page: `#prdBuyBoxV2` buy box, `#prdListingListV2` offers.
- `RakutenJsonLdPage`: a page with only the JSON-LD Product (AggregateOffer with inner offers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from detector.model import Offer
from spiders import money, schema_org, walls
from spiders.page import ProductPage

_PRODUCT_PATH = re.compile(r"/(?:offer/buy|mfp)/(\d{3,14})(?:[/?#.]|$)")
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset=([A-Za-z0-9_-]+)", re.I)
_GONE_WORDS = (
    "La page que vous recherchez n'existe pas", "La page que vous demandez est introuvable",
    "Ce produit n'existe plus",
)
_NO_OFFER_WORDS = ("Aucune offre", "Ce produit n'est plus disponible", "Victime de son succès")


def _text_xpath(phrases: tuple[str, ...]) -> str:
    tests = " or ".join(f'contains(., "{p}")' for p in phrases)
    return f"//body//text()[{tests}][not(ancestor::script)]"


_GONE_XPATH = _text_xpath(_GONE_WORDS)
_NO_OFFER_XPATH = _text_xpath(_NO_OFFER_WORDS)


def squash(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.replace("\xa0", " ").split())
    return text or None


@dataclass(frozen=True)
class RakutenOffer:
    """One seller's offer as Rakuten shows it; `condition` is "new" or "used"."""

    seller: str | None
    price: Decimal | None
    shipping_fee: Decimal | None
    condition: str | None
    available: bool = True

    def offer(self) -> Offer:
        return Offer(seller=self.seller, price=self.price, currency="EUR", shipping_fee=self.shipping_fee,
                     available=self.available)


def condition_of(text: str | None) -> str | None:
    text = (text or "").casefold()
    if "neuf" in text or "newcondition" in text:
        return "new"
    if "occasion" in text or "used" in text or "reconditionn" in text or "etat" in text:
        return "used"
    return None


def _offer_nodes(product: dict | None) -> list[dict]:
    """The product's offers, opening Rakuten's lower-case `"aggregateOffer"` that schema_org keeps closed."""
    found = []
    for node in schema_org.offers(product):
        inner = node.get("offers")
        inner = inner if isinstance(inner, list) else [inner] if isinstance(inner, dict) else []
        found.extend(o for o in inner if isinstance(o, dict)) if inner else found.append(node)
    return found


class RakutenPage(ProductPage):
    marketplace = "rakuten"
    decimal_separator = ","

    @cached_property
    def text(self) -> str:
        return self.page.body.decode(self.encoding, errors="replace")

    @cached_property
    def encoding(self) -> str:
        declared = self.page.encoding
        if not declared:
            header = {k.lower(): v for k, v in self.page.headers.items()}.get("content-type", "")
            found = _HEADER_CHARSET.search(header) or _CHARSET.search(self.page.body[:4096])
            declared = found.group(1).decode() if found and isinstance(found.group(1), bytes) else (
                found.group(1) if found else "utf-8")
        try:
            "".encode(declared)
        except LookupError:
            return "utf-8"
        return declared

    @cached_property
    def tree(self) -> Selector:
        return Selector(text=self.text)

    # -- judgement -----------------------------------------------------------------------------
    def wall(self) -> str | None:
        return walls.detect_wall(self.text, self.page.headers)

    def gone(self) -> str | None:
        if self.page.redirected and not _PRODUCT_PATH.search(urlsplit(self.page.url).path):
            return f"redirected to {urlsplit(self.page.url).path or '/'} (not a product page)"
        said = self.tree.xpath(_GONE_XPATH).get()
        return f"removed product: {squash(said)[:100]}" if said else None

    def is_product_page(self) -> bool:
        return False

    def not_product_reason(self) -> str:
        return "no Rakuten product layout recognised (no #prdBuyBoxV2, no JSON-LD Product)"

    # -- the JSON-LD offers, shared by both layouts ----------------------------------------------
    @cached_property
    def product(self) -> dict | None:
        return schema_org.jsonld_product(self.tree.root, base_url=self.page.url)

    @cached_property
    def jsonld_offers(self) -> list[RakutenOffer]:
        return [
            RakutenOffer(
                seller=schema_org.seller(node),
                price=schema_org.price(node),
                shipping_fee=schema_org.shipping_fee(node),
                condition=condition_of(schema_org.text(node.get("itemCondition"))),
                available=schema_org.availability(node) not in ("OutOfStock", "SoldOut", "Discontinued"),
            )
            for node in _offer_nodes(self.product)
            if schema_org.seller(node)
        ]

    def all_offers(self) -> list[RakutenOffer]:
        return self.jsonld_offers

    def main_offer(self) -> RakutenOffer | None:
        """The first new offer (Rakuten's "best price" new), else the first offer."""
        offers = self.all_offers()
        return next((o for o in offers if o.condition == "new"), offers[0] if offers else None)

    # -- fields --------------------------------------------------------------------------------
    def title(self) -> str | None:
        return schema_org.text((self.product or {}).get("name")) or squash(
            self.tree.xpath('string(//h1[@id="prdTitleHead"])').get())

    def price(self) -> Decimal | None:
        main = self.main_offer()
        if main is None or main.price is None:
            self.missing("price", "no offer on the page")
            return None
        return main.price

    def currency(self) -> str | None:
        return "EUR"

    def shipping_fee(self) -> Decimal | None:
        main = self.main_offer()
        if main is None or main.shipping_fee is None:
            self.missing("shipping_fee", "the main offer states no delivery fee")
            return None
        return main.shipping_fee

    def seller(self) -> str | None:
        main = self.main_offer()
        if main is None or not main.seller:
            self.missing("seller", "no offer on the page")
            return None
        return main.seller

    def availability(self) -> str | None:
        main = self.main_offer()
        if main is not None:
            return "InStock" if main.available else "OutOfStock"
        if self.tree.xpath(_NO_OFFER_XPATH).get() or self.product is not None:
            return "OutOfStock"
        return None

    def offers(self) -> list[Offer]:
        return [o.offer() for o in self.all_offers()]

    def missing(self, field: str, why: str) -> None:
        reason = f"{field} not found: {why}"
        if reason not in self.reasons:
            self.reasons.append(reason)


class RakutenJsonLdPage(RakutenPage):
    def is_product_page(self) -> bool:
        return self.product is not None


class RakutenBuyBoxPage(RakutenPage):
    """The classic page: the buy box holds the main offer, the list holds the others."""

    def is_product_page(self) -> bool:
        return bool(self.tree.xpath('//*[@id="prdBuyBoxV2" or @id="prdListingListV2" or @id="prdTitleHead"]'))

    def fee(self, text: str | None) -> Decimal | None:
        text = squash(text)
        if not text:
            return None
        if "gratuit" in text.casefold():
            return Decimal("0.00")
        amount, _ = money.parse(text, decimal_separator=",")
        return amount

    def _offer_in(self, box: Selector, seller_xpath: str) -> RakutenOffer | None:
        price, _ = money.parse(box.xpath('string(.//p[contains(@class, "price")])').get(), decimal_separator=",")
        seller = squash(box.xpath(seller_xpath).xpath("string()").get())
        if price is None and seller is None:
            return None
        shipping = box.xpath('.//*[contains(@class, "shippingInfos")]//li').xpath("string()").get()
        condition = box.xpath('string(.//p[contains(@class, "offerType")])').get()
        return RakutenOffer(seller=seller, price=price, shipping_fee=self.fee(shipping),
                            condition=condition_of(condition))

    @cached_property
    def buy_box(self) -> RakutenOffer | None:
        box = self.tree.xpath('//section[@id="prdBuyBoxV2"]')
        if not box:
            return None
        return self._offer_in(box[0], './/span[contains(@class, "sellerName")] | .//a[contains(@class, "seller")]/span')

    @cached_property
    def listed_offers(self) -> list[RakutenOffer]:
        found = []
        for item in self.tree.xpath('//ul[@id="prdListingListV2"]/li'):
            offer = self._offer_in(item, './/a[contains(@class, "seller")]/span[1]')
            if offer is not None:
                found.append(offer)
        return found

    @cached_property
    def _all(self) -> list[RakutenOffer]:
        """Buy box, then the listed offers, then JSON-LD offers the list did not show (same seller and price)."""
        offers: list[RakutenOffer] = []
        seen: set[tuple[str, Decimal | None]] = set()
        for offer in ([self.buy_box] if self.buy_box else []) + self.listed_offers + self.jsonld_offers:
            key = (walls.normalise(offer.seller or ""), offer.price)
            if key not in seen:
                seen.add(key)
                offers.append(offer)
        return offers

    def all_offers(self) -> list[RakutenOffer]:
        return self._all

    def main_offer(self) -> RakutenOffer | None:
        return self.buy_box or super().main_offer()

    def availability(self) -> str | None:
        if self.buy_box is not None:
            cart = self.tree.xpath('//section[@id="prdBuyBoxV2"]//*[contains(@class, "addToCartBtn")]')
            return "InStock" if cart else "OutOfStock"
        if self.tree.xpath(_NO_OFFER_XPATH).get() and not self.all_offers():
            return "OutOfStock"
        return super().availability()
