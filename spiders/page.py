"""Page objects: one response in, one Observation out. No Request, no database.

A marketplace adapter subclasses `ProductPage` and overrides the small methods it reads
differently (`price()`, `seller()`, `availability()`, ...). `observe()` fixes the order in
which a page is judged, the same for every marketplace:

    error (5xx, empty body) → blocked (bot wall, 403/429) → gone (404/410, redirect to a
    search/home page, soft 404) → the product: listed / unavailable / offer_gone
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Mapping

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from detector.model import Observation, Offer, Outcome
from spiders import money, walls

# text the buyer sees: not inside scripts, styles, noscript or templates
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)


@dataclass(frozen=True)
class PageInput:
    """Everything a page object may look at."""

    url: str  # final URL, after redirects
    body: bytes
    status: int = 200
    requested_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    seller: str | None = None  # the SME's own seller name, when registered
    encoding: str | None = None
    # the body already decoded by whoever had to (Scrapy's redirect middleware reads every page's text):
    # a 1 MB page is then not decoded twice
    decoded: str | None = field(default=None, repr=False, compare=False)

    @property
    def redirected(self) -> bool:
        return bool(self.requested_url) and self.requested_url != self.url

    @cached_property
    def text(self) -> str:
        """The body as text: the given encoding, else BOM, Content-Type, <meta charset>, UTF-8."""
        if self.decoded is not None:
            return self.decoded
        if self.encoding:
            return self.body.decode(self.encoding, errors="replace")
        content_type = next((v for k, v in self.headers.items() if k.lower() == "content-type"), None)
        return html_to_unicode(content_type, self.body)[1]

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The page parsed once (lxml): the page object and the crawler's escalation check share it."""
        parser = lxml.html.HTMLParser(encoding="utf-8")
        try:
            root = lxml.html.fromstring(self.text.encode("utf-8"), parser=parser)
        except (etree.ParserError, ValueError):  # a body with no element at all
            root = None
        return root if root is not None else lxml.html.fromstring("<html><body></body></html>")


AVAILABLE = {"InStock", "LimitedAvailability", "PreOrder", "BackOrder", "OnlineOnly", "InStoreOnly", "PreSale"}
UNAVAILABLE = {"OutOfStock", "SoldOut", "Discontinued"}


class ProductPage:
    """Base page object. Subclasses override the field methods; `observe()` stays as is."""

    marketplace = "generic"
    decimal_separator: str | None = None  # "," for "1.299,00 €"; None lets price-parser guess

    def __init__(self, page: PageInput):
        self.page = page
        self.reasons: list[str] = []

    # -- judgement -------------------------------------------------------------------------
    def observe(self) -> Observation:
        page = self.page
        if not page.body.strip():
            return self._only(Outcome.ERROR, f"empty body (http status {page.status})")
        wall = self.wall()  # before the status: walls come as 200, 403, 429 and 503 alike
        if wall:
            return self._only(Outcome.BLOCKED, wall)
        if page.status >= 500:
            return self._only(Outcome.ERROR, f"http status {page.status}")
        if page.status in (403, 429):
            return self._only(Outcome.BLOCKED, f"http status {page.status}")
        if page.status in (404, 410):
            return self._only(Outcome.GONE, f"http status {page.status}")
        if page.status >= 400:
            return self._only(Outcome.ERROR, f"http status {page.status}")
        gone = self.gone()
        if gone:
            return self._only(Outcome.GONE, gone)
        if not self.is_product_page():
            return self._only(Outcome.ERROR, self.not_product_reason())
        return self._product()

    def _only(self, outcome: Outcome, reason: str) -> Observation:
        return Observation(outcome=outcome, reasons=(reason,))

    def _product(self) -> Observation:
        _, price = self._field("price", self.price)
        _, shipping = self._field("shipping fee", self.shipping_fee)
        _, currency = self._field("currency", self.currency)
        _, seller = self._field("seller", self.seller)
        _, availability = self._field("availability", self.availability)
        offers_read, offers = self._field("offers", self.offers, [])
        offers = tuple(offers)
        if price is None:
            if not any(r.startswith("price not found") for r in self.reasons):
                self.reasons.append("price not found")
        outcome = Outcome.LISTED
        if availability in UNAVAILABLE or not self.can_buy(availability):
            outcome = Outcome.UNAVAILABLE
        registered = self.page.seller
        shown = [name for name in [seller, *(offer.seller for offer in offers)] if name]
        if registered and not shown:
            # a page naming no seller at all cannot tell us the registered one left
            self.reasons.append("no seller shown on the page")
        elif registered and not offers_read and not self.sells(registered, seller, offers):
            self.reasons.append(f"seller {registered!r} not judged: the offers could not be read")
        elif registered and not self.sells(registered, seller, offers):
            outcome = Outcome.OFFER_GONE
            self.reasons.append(f"seller {registered!r} not among the offers")
        return Observation(
            outcome=outcome,
            price=price,
            currency=currency,
            shipping_fee=shipping,
            seller=seller,
            title=self.title(),
            availability=availability,
            offers=offers,
            reasons=tuple(self.reasons),
        )

    def _field(self, name: str, method, default=None) -> tuple[bool, object]:
        """(read, value) of one field; a field holding an implausible amount is not read and says why
        (`price not found: '-5' is negative`): never a wrong number."""
        try:
            return True, method()
        except money.ImplausibleAmount as exc:
            if not any(reason.endswith(f": {exc}") for reason in self.reasons):  # one amount, one reason
                self.reasons.append(f"{name} not found: {exc}")
            return False, default

    def can_buy(self, availability: str | None) -> bool:
        """True unless the page says the offer cannot be bought now."""
        return availability not in UNAVAILABLE

    @staticmethod
    def sells(registered: str, seller: str | None, offers: tuple[Offer, ...]) -> bool:
        wanted = walls.normalise(registered)
        names = [seller] + [offer.seller for offer in offers]
        return any(name and walls.normalise(name).startswith(wanted) for name in names)

    # -- what subclasses override ------------------------------------------------------------
    def wall(self) -> str | None:
        """A reason when the page is a bot wall, whatever its HTTP status."""
        return walls.detect_wall(self.page.text, self.page.headers)

    def gone(self) -> str | None:
        """A reason when the page says the listing no longer exists."""
        return None

    def is_product_page(self) -> bool:
        return True

    def not_product_reason(self) -> str:
        return "no product data found on the page"

    def title(self) -> str | None:
        return None

    def price(self) -> Decimal | None:
        return None

    def currency(self) -> str | None:
        return None

    def shipping_fee(self) -> Decimal | None:
        return None

    def seller(self) -> str | None:
        return None

    def availability(self) -> str | None:
        return None

    def offers(self) -> list[Offer]:
        return []

    # -- helpers for subclasses -------------------------------------------------------------
    @property
    def tree(self) -> lxml.html.HtmlElement:
        """The page parsed once (lxml), shared by every field method, schema.org reading and escalation."""
        return self.page.tree

    @cached_property
    def visible_text(self) -> str:
        """The body's human-visible text, whitespace collapsed (scripts and styles left out)."""
        return " ".join(" ".join(_VISIBLE_TEXT(self.tree)).split())

    @cached_property
    def page_title(self) -> str | None:
        title = " ".join((self.tree.findtext(".//title") or "").split())
        return title or None

    def parse_money(self, text: str | None) -> tuple[Decimal | None, str | None]:
        return money.parse(text, decimal_separator=self.decimal_separator)
