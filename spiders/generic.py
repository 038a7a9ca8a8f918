"""The generic reader for any shop's product page.

Each field comes from the best source the page has, and the source that decided is named in the check's
reasons: schema.org (JSON-LD, microdata) → OpenGraph / Twitter card → schema.org fragments outside a Product
(itemprop, RDFa property) → the product state scripts carry (Shopify's product JSON, `__NEXT_DATA__`, ...) →
the visible page (the buy control, the price beside it, sold-out wording in the product's own area).

Multi-variant products are available when the URL's variant is, else when any variant is (spiders.variants).
A live product page (a title with a price or a buy control) is never `error`: without any stock signal it is
`listed` with availability unknown, which the detector never turns into an alert.

A marketplace page object may subclass `GenericPage` and override only what its site does differently.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from crawler.listing_spider import ListingSpider
from detector.model import Offer
from spiders import embedded_state, markup_fragments, money, schema_org, soft404, walls
from spiders.marketplace import Marketplace
from spiders.page import UNAVAILABLE, ProductPage
from spiders.schema_org import StructuredData
from spiders import variants
from spiders.variants import Choice, Variant, choose
from spiders.visible_offer import VisibleOffer

@dataclass(frozen=True)
class Reading:
    """The offer as the page's best source states it, and which source decided each field."""

    price: Decimal | None = None
    currency: str | None = None
    availability: str | None = None
    notes: tuple[str, ...] = ()
    price_error: money.ImplausibleAmount | None = None


class GenericPage(ProductPage):
    marketplace = "generic"
    syntaxes: tuple[str, ...] = schema_org.SYNTAXES
    # adapters add their site's own removal wording and search URLs
    gone_words: tuple[str, ...] = ()
    search_paths: tuple[str, ...] = ()
    search_keys: tuple[str, ...] = ()

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
    def seller_offer(self) -> dict | None:
        """The registered seller's own offer when the page lists it."""
        if self.page.seller:
            for node in self.offer_nodes:
                name = schema_org.seller(node)
                if name and self.sells(self.page.seller, name, ()):
                    return node
        return None

    @cached_property
    def tracked_offer(self) -> dict | None:
        """The registered seller's own offer when the page lists it, else the buy box."""
        return self.seller_offer or self.main_offer

    @cached_property
    def fragments(self) -> markup_fragments.Fragments:
        return markup_fragments.read(self.tree)

    @cached_property
    def visible(self) -> VisibleOffer:
        return VisibleOffer(self.tree)

    @cached_property
    def state(self) -> embedded_state.StateProduct | None:
        titles = [self.data.og("og:title") or "", self.page_title or ""]
        if self.visible.h1 is not None:
            titles.insert(0, " ".join(" ".join(self.visible.h1.itertext()).split()))
        return embedded_state.read(self.tree, self.page.text, titles=titles, visible_text=self.visible_text)

    def has_product_data(self) -> bool:
        return self.product is not None or self.data.og_product() or self.twitter_price is not None

    @cached_property
    def twitter_price(self) -> str | None:
        return markup_fragments.twitter_price(self.tree)

    def looks_like_product(self) -> bool:
        """No structured product, but the page shows one: scripts' state, schema.org fragments, or a title with
        a buy control or a price beside it (and not a list of many products)."""
        if self.state is not None and (self.state.price is not None or self.state.availability is not None):
            return True
        visible = self.visible
        if not visible.one_product or (visible.h1 is None and visible.buy_control is None):
            return False
        if self.fragments.first("price") is not None and self.fragments.count("price") <= 3:
            return True
        return visible.buy_control is not None or visible.price_text() is not None

    # -- judgement -------------------------------------------------------------------------
    def wall(self) -> str | None:
        """A challenge page carries no schema.org product: on a page that does, only the response headers can
        say it is a wall, and the body is not scanned for challenge markup (a review form's reCAPTCHA is not one)."""
        if self.product is not None:
            return walls.header_wall(self.page.headers, self.page.text)
        wall = super().wall()
        if wall == walls.CAPTCHA_FORM and self.looks_like_product():
            return None  # a captcha in a review or newsletter form of a page showing its product
        return wall

    def gone(self) -> str | None:
        page = self.page
        has_product = self.has_product_data()
        redirect = soft404.redirect_gone(
            page.requested_url,
            page.url,
            has_product=has_product,
            extra_search_paths=self.search_paths,
            extra_search_keys=self.search_keys,
        )
        if redirect or has_product:
            return redirect
        h1 = self.visible.h1
        headline = f"{self.page_title or ''} {' '.join(h1.itertext()) if h1 is not None else ''}"
        said = soft404.says_gone(headline, self.gone_words)
        if said:
            return said  # the page's own title says it: whatever else it shows (a grid of suggestions)
        said = soft404.says_gone(self.visible_text, self.gone_words)
        if said and self.looks_like_product() and (self.visible.buy_control or self.state is not None):
            # a live product page may say "no longer available" of another item, or of a sold-out one
            self.reasons.append(f"not a removal: {said}, but the page shows a product with a buy control")
            return None
        return said

    def is_product_page(self) -> bool:
        return self.has_product_data() or self.looks_like_product()

    def not_product_reason(self) -> str:
        return "no product data"

    # -- the offer, from the best source the page has ------------------------------------------------
    @cached_property
    def reading(self) -> Reading:
        notes: list[str] = []
        price_error = None
        try:
            price, currency, price_source = self._read_price(notes)
        except money.ImplausibleAmount as exc:  # the page states a price no one pays: no price, never a guess
            price, currency, price_source, price_error = None, schema_org.currency(self.main_offer), None, exc
        availability, availability_source = self._read_availability(notes)
        if price_source:
            notes.append(f"price from {price_source}")
        if availability is None and availability_source:
            notes.append(availability_source)
        elif availability_source:
            notes.append(f"availability from {availability_source}")
        elif availability is None:
            notes.append("availability unknown: the page states no stock (a live product page, read as listed)")
        return Reading(price=price, currency=currency or self._page_currency(), availability=availability,
                       notes=tuple(notes), price_error=price_error)

    @cached_property
    def schema_variants(self) -> tuple[Variant, ...]:
        siblings = self.data.variant_products(self.product)
        return tuple(variants.from_schema_org(self.product, self.offer_nodes, self.decimal_separator, siblings))

    @cached_property
    def variant_choice(self) -> Choice:
        return choose(self.schema_variants, self.page.requested_url or self.page.url)

    def _read_price(self, notes: list[str]) -> tuple[Decimal | None, str | None, str | None]:
        """(amount, currency, source): the tracked offer's, then OpenGraph, schema.org fragments, scripts' state,
        the price shown beside the buy button."""
        sep = self.decimal_separator
        variant = self.variant_choice.variant
        offer = self.main_offer  # the buy box's price, whoever the registered seller is
        if self.seller_offer is None and variant is not None and variant.price is not None:
            amount, currency = variant.price, variant.currency or schema_org.currency(offer)
        else:
            # an implausible amount raises: never a guess
            amount = schema_org.price(offer, decimal_separator=sep) if offer is not None else None
            currency = schema_org.currency(offer)
        if amount == 0:
            # "0" stands for "price on request" or a price scripts fill in: read as a price it would make the
            # first real one look like an abrupt change
            notes.append("the schema.org price is 0: read as no price")
        elif amount is not None:
            return self._as_shown(amount, currency, notes)
        amount, currency = self.data.og_price(decimal_separator=sep)
        if amount is not None:
            return amount, currency, "OpenGraph product:price"
        if self.twitter_price is not None:
            amount, code = money.parse(self.twitter_price, decimal_separator=sep)
            if amount is not None:
                return amount, code or self._page_currency(), "the Twitter card's price"
        fragment = self.fragments.first("price")
        if fragment is not None and self.fragments.count("price") <= 3:
            amount = money.amount(fragment, decimal_separator=sep)
            if amount is not None:
                code = self.fragments.first("currency") or money.currency_of(fragment)
                return amount, code.upper() if code else None, "an itemprop/property price"
        state = self.state
        if state is not None:
            chosen = choose(state.variants, self.page.requested_url or self.page.url).variant
            amount = chosen.price if chosen is not None and chosen.price is not None else state.price
            if amount is not None:
                return amount, state.currency or self._page_currency(), state.source
            if state.price_note:
                notes.append(state.price_note)
        if self.product is not None or self.looks_like_product():
            amount, code = self.visible.price()
            if amount is not None:
                return amount, code or self._page_currency(), "the price shown beside the buy button"
        return None, None, None

    def _as_shown(self, amount: Decimal, currency: str | None, notes: list[str]) -> tuple[Decimal, str | None, str]:
        """The schema.org price, unless the page never shows it and shows another one beside its buy button
        (stale structured data, a price before tax or discount): the buyer pays what the page shows."""
        if embedded_state.shown(amount, self.visible_text):
            return amount, currency, "the schema.org offer"
        control = self.visible.buy_control
        shown, code = self.visible.price() if control is not None else (None, None)
        if shown is None or shown == amount or not embedded_state.shown(shown, self.visible_text):
            return amount, currency, "the schema.org offer"
        if code and currency and code != currency:
            return amount, currency, "the schema.org offer"
        notes.append(f"the schema.org price {amount} is not shown on the page")
        return shown, currency or code, "the price shown beside the buy button"

    def _page_currency(self) -> str | None:
        code = self.data.og_currency() or self.fragments.first("currency")
        return code.upper() if code else None

    def _read_availability(self, notes: list[str]) -> tuple[str | None, str | None]:
        word, source = self._declared_availability(notes)
        visible = self.visible
        if word is not None and word in UNAVAILABLE:
            # schema.org markup is often stale (cached, written once); a live page's state in its scripts is not
            stale_prone = self.state is None or not source.startswith(self.state.source)
            buyable = visible.buy_control if visible.buy_control and visible.buy_control.enabled else None
            if stale_prone and buyable is not None and not visible.sold_out_word() and not visible.sold_badge() \
                    and not self.variant_choice.reason:
                notes.append(f"{source} says {word}, but the page offers an enabled {buyable.label!r} button"
                             " and no sold-out wording")
                return "InStock", "the enabled buy button"
            return word, source
        if word is not None:
            badge = visible.sold_badge()
            if badge and not (visible.buy_control and visible.buy_control.enabled):
                return "SoldOut", f"the page's {badge!r} mark (no enabled buy button; {source} says {word})"
            return word, source
        return self.visible.availability()

    def _declared_availability(self, notes: list[str]) -> tuple[str | None, str | None]:
        """What the page's data says: the seller's offer, the variants, OpenGraph, fragments, scripts' state."""
        if self.seller_offer is not None:
            word = schema_org.availability(self.seller_offer)
            if word:
                return word, "the registered seller's schema.org offer"
        choice = self.variant_choice
        if choice.availability:
            if choice.reason:
                notes.append(choice.reason)
            return choice.availability, "the schema.org offers"
        word = schema_org.availability(self.tracked_offer) or self.data.og_availability()
        if word:
            return word, "the schema.org offer" if schema_org.availability(self.tracked_offer) else "OpenGraph"
        fragment = self.fragments.first("availability")
        if fragment is not None:
            word = schema_org.normalise_availability(fragment)
            if word in embedded_state.KNOWN_WORDS:
                return word, "an itemprop/property availability"
        state = self.state
        if state is not None:
            choice = choose(state.variants, self.page.requested_url or self.page.url)
            if choice.availability:
                if choice.reason:
                    notes.append(choice.reason)
                return choice.availability, f"{state.source} variants"
            if state.availability:
                return state.availability, state.source
        return None, None

    # -- fields ----------------------------------------------------------------------------
    def title(self) -> str | None:
        h1 = self.visible.h1
        shown = " ".join(" ".join(h1.itertext()).split()) if h1 is not None else None
        return (schema_org.text((self.product or {}).get("name")) or self.data.og("og:title")
                or (self.state.name if self.state else None) or shown or self.page_title)

    def price(self) -> Decimal | None:
        if self.reading.price_error is not None:
            raise self.reading.price_error
        return self.reading.price

    def currency(self) -> str | None:
        return self.reading.currency

    def shipping_fee(self) -> Decimal | None:
        return schema_org.shipping_fee(self.tracked_offer, decimal_separator=self.decimal_separator)

    def seller(self) -> str | None:
        return schema_org.seller(self.main_offer)

    def availability(self) -> str | None:
        reading = self.reading
        self.reasons.extend(n for n in reading.notes if n not in self.reasons)
        return reading.availability

    def offers(self) -> list[Offer]:
        """Each schema.org offer (a seller's, or a variant's, labelled); else each variant the scripts list."""
        sep = self.decimal_separator
        variants = self.schema_variants
        by_offer = len(variants) == len(self.offer_nodes) and not schema_org.is_type(self.product, "ProductGroup")
        if self.offer_nodes and (by_offer or not variants):
            labelled = len(self.offer_nodes) > 1 and by_offer
            return [Offer(
                seller=schema_org.seller(node),
                price=schema_org.price(node, decimal_separator=sep),
                currency=schema_org.currency(node),
                shipping_fee=schema_org.shipping_fee(node, decimal_separator=sep),
                available=_buyable(schema_org.availability(node)),
                variant=variants[index].label if labelled else None,
            ) for index, node in enumerate(self.offer_nodes)]
        if not variants and self.state is not None:
            variants = self.state.variants
        if len(variants) < 2:
            return []
        return [Offer(seller=None, price=v.price, currency=v.currency, available=v.available,
                      variant=v.label or "?") for v in variants]


def _buyable(word: str | None) -> bool | None:
    return None if word is None else word not in UNAVAILABLE


MARKETPLACE = Marketplace(name="generic", domains=(), page=GenericPage)


class GenericSpider(ListingSpider):
    name = "generic"
    marketplace = MARKETPLACE
