"""The sandbox's products, held in memory and shared between the server and the tests.

A `Product` is an immutable value: changing one (`Catalog.patch`) stores a new value, so a page
rendered for a product can be cached against the product itself and a test thread can mutate the
catalog while the server thread reads it.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Iterable, Mapping


class State(StrEnum):
    """What the simulated marketplace does with a product page."""

    LISTED = "listed"
    OUT_OF_STOCK = "out_of_stock"
    OFFER_REMOVED = "offer_removed"  # page stays, another seller holds it, ours is not among the offers
    NOT_FOUND = "not_found"  # 404
    GONE_410 = "gone_410"
    REDIRECT_SEARCH = "redirect_search"  # 302 to /search?q=...
    REDIRECT_HOME = "redirect_home"  # 302 to /
    SOFT_404 = "soft_404"  # 200, "page introuvable", no product data
    BOT_WALL = "bot_wall"  # 200, DataDome-style challenge
    RATE_LIMITED = "rate_limited"  # 429 + Retry-After
    SERVER_ERROR = "server_error"  # 503
    SLOW = "slow"  # listed page, after `delay` seconds
    JS_RENDERED = "js_rendered"  # empty shell; data injected by JavaScript after load


class InvalidProduct(ValueError):
    """A product field that the sandbox refuses; the message is one line, fit for a 400 answer."""


MAX_DELAY = 600.0
MAX_AMOUNT = Decimal("1000000000")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
_MARKUP = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CENT = Decimal("0.01")


def money(value: object, name: str) -> Decimal:
    """A non-negative amount with at most two decimals, from a Decimal, an int or a string."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidProduct(f"{name}: expected a decimal string like \"19.99\", got {value!r}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidProduct(f"{name}: not a decimal amount: {value!r}") from None
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise InvalidProduct(f"{name}: must be an amount from 0 to {MAX_AMOUNT - _CENT}, got {value!r}")
    if amount != amount.quantize(_CENT):
        raise InvalidProduct(f"{name}: at most two decimals, got {value!r}")
    return amount.quantize(_CENT)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidProduct(f"{name}: expected a non-empty string, got {value!r}")
    return value.strip()


@dataclass(frozen=True)
class Offer:
    """Another seller's offer on the same product page."""

    seller: str
    price: Decimal
    shipping_fee: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        object.__setattr__(self, "seller", _text(self.seller, "offer seller"))
        object.__setattr__(self, "price", money(self.price, "offer price"))
        object.__setattr__(self, "shipping_fee", money(self.shipping_fee, "offer shipping_fee"))

    @classmethod
    def from_json(cls, data: object) -> Offer:
        if not isinstance(data, Mapping):
            raise InvalidProduct(f"other_offers: each offer must be an object, got {data!r}")
        unknown = set(data) - {"seller", "price", "shipping_fee"}
        if unknown:
            raise InvalidProduct(f"other_offers: unknown field(s) {', '.join(sorted(unknown))}")
        if "seller" not in data or "price" not in data:
            raise InvalidProduct("other_offers: each offer needs a seller and a price")
        return cls(**data)

    def to_json(self) -> dict[str, str]:
        return {"seller": self.seller, "price": str(self.price), "shipping_fee": str(self.shipping_fee)}


@dataclass(frozen=True)
class Product:
    """One simulated product page. Strings are accepted for enums and amounts and coerced here,
    so the Python API and the JSON control API validate the same way."""

    id: str
    title: str
    price: Decimal
    seller: str
    markup: str = "generic"
    state: State = State.LISTED
    currency: str = "EUR"
    shipping_fee: Decimal = Decimal("0.00")
    other_offers: tuple[Offer, ...] = ()
    delay: float = 2.0
    in_storefront: bool = True  # False: left out of the seller's storefront while its page stays (sandbox.storefront)
    in_search: bool = True  # False: left out of the search results while its page stays (sandbox.search)
    version: int = 0  # set by the catalog on every write; part of equality, so caches see changes

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise InvalidProduct(f"id: letters, digits, '.', '_' or '-' (at most 120), got {self.id!r}")
        if not isinstance(self.markup, str) or not _MARKUP.fullmatch(self.markup):
            raise InvalidProduct(f"markup: a lowercase template name, got {self.markup!r}")
        try:
            set_(self, "state", State(self.state))
        except ValueError:
            raise InvalidProduct(
                f"state: unknown state {self.state!r}; one of {', '.join(s.value for s in State)}"
            ) from None
        set_(self, "title", _text(self.title, "title"))
        set_(self, "seller", _text(self.seller, "seller"))
        set_(self, "price", money(self.price, "price"))
        set_(self, "shipping_fee", money(self.shipping_fee, "shipping_fee"))
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise InvalidProduct(f"currency: a three-letter ISO 4217 code like EUR, got {self.currency!r}")
        if isinstance(self.other_offers, (str, bytes, Mapping)) or not isinstance(self.other_offers, Iterable):
            raise InvalidProduct(f"other_offers: expected a list of offers, got {self.other_offers!r}")
        set_(self, "other_offers", tuple(
            offer if isinstance(offer, Offer) else Offer.from_json(offer) for offer in self.other_offers
        ))
        set_(self, "delay", _delay(self.delay))
        if not isinstance(self.in_storefront, bool):
            raise InvalidProduct(f"in_storefront: true or false, got {self.in_storefront!r}")
        if not isinstance(self.in_search, bool):
            raise InvalidProduct(f"in_search: true or false, got {self.in_search!r}")

    @property
    def all_sellers(self) -> tuple[str, ...]:
        return (self.seller, *(offer.seller for offer in self.other_offers))

    @classmethod
    def from_json(cls, product_id: str, data: object, *, base: Product | None = None) -> Product:
        """A product from a control API body: whole (`base` None, PUT) or a partial update of `base`."""
        if not isinstance(data, Mapping):
            raise InvalidProduct("body: expected a JSON object")
        writable = {f.name for f in fields(cls)} - {"version"}
        unknown = set(data) - writable
        if unknown:
            raise InvalidProduct(f"unknown field(s): {', '.join(sorted(unknown))}")
        if "id" in data and data["id"] != product_id:
            raise InvalidProduct(f"id: the body says {data['id']!r} but the URL says {product_id!r}")
        values = {key: value for key, value in data.items() if key != "id"}
        if base is not None:
            return replace(base, **values)
        missing = {"title", "price", "seller"} - set(values)
        if missing:
            raise InvalidProduct(f"missing field(s): {', '.join(sorted(missing))}")
        try:
            return cls(id=product_id, **values)
        except TypeError as exc:  # a field given the wrong shape entirely
            raise InvalidProduct(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "markup": self.markup,
            "state": self.state.value,
            "title": self.title,
            "price": str(self.price),
            "currency": self.currency,
            "shipping_fee": str(self.shipping_fee),
            "seller": self.seller,
            "other_offers": [offer.to_json() for offer in self.other_offers],
            "delay": self.delay,
            "in_storefront": self.in_storefront,
            "in_search": self.in_search,
            "version": self.version,
        }


def _delay(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise InvalidProduct(f"delay: expected a number of seconds, got {value!r}")
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidProduct(f"delay: expected a number of seconds, got {value!r}") from None
    if not 0 <= seconds <= MAX_DELAY:  # also rejects NaN
        raise InvalidProduct(f"delay: between 0 and {MAX_DELAY:g} seconds, got {value!r}")
    return seconds


class Catalog:
    """Products by id. Every method may be called from any thread."""

    def __init__(self, products: Iterable[Product] = ()):
        self._lock = threading.Lock()
        self._products: dict[str, Product] = {}
        self._version = 0
        for product in products:
            self.put(product)

    def _store(self, product: Product) -> Product:
        # caller holds the lock; a fresh version makes cached pages of the old value unreachable
        self._version += 1
        stored = replace(product, version=self._version)
        self._products[stored.id] = stored
        return stored

    def put(self, product: Product) -> Product:
        """Create or replace; returns the stored value (with its new version)."""
        with self._lock:
            return self._store(product)

    def patch(self, product_id: str, **changes: Any) -> Product:
        """Change some fields of an existing product (KeyError if absent). Values are validated
        as in `Product`; on a bad value nothing changes."""
        changes.pop("version", None)
        with self._lock:
            current = self._products[product_id]
            if "id" in changes and changes["id"] != product_id:
                raise InvalidProduct("id: cannot be changed by a patch")
            return self._store(replace(current, **changes))

    def patch_json(self, product_id: str, data: object) -> Product:
        """`patch` from a control API body (KeyError if absent, InvalidProduct if bad)."""
        with self._lock:
            current = self._products[product_id]
            return self._store(Product.from_json(product_id, data, base=current))

    def get(self, product_id: str) -> Product | None:
        with self._lock:
            return self._products.get(product_id)

    def delete(self, product_id: str) -> bool:
        with self._lock:
            return self._products.pop(product_id, None) is not None

    def all(self) -> list[Product]:
        with self._lock:
            return list(self._products.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._products)

    def __contains__(self, product_id: object) -> bool:
        with self._lock:
            return product_id in self._products

    def bulk(self, count: int, *, prefix: str = "b", markup: str = "generic",
             seller: str = "Boutique Exemple") -> list[Product]:
        """Create `count` listed products `{prefix}-00000`, `{prefix}-00001`, ... (replacing any
        with the same ids), with varied but deterministic titles and prices. For benchmarks."""
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
            raise InvalidProduct(f"count: an integer between 0 and 1000000, got {count!r}")
        if not isinstance(prefix, str):
            raise InvalidProduct(f"prefix: expected a string, got {prefix!r}")
        width = max(5, len(str(count - 1)))
        products = [
            Product(
                id=f"{prefix}-{n:0{width}d}",
                markup=markup,
                title=f"Article de démonstration n°{n}",
                price=Decimal(500 + (n * 739) % 99_500) / 100,  # 5.00 … 999.99, spread out
                shipping_fee=Decimal("0.00") if n % 3 else Decimal("4.90"),
                seller=seller,
            )
            for n in range(count)
        ]
        with self._lock:
            return [self._store(product) for product in products]
