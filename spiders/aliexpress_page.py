"""AliExpress item pages: the data lives in inline `window.runParams` JavaScript, read as JSON.

Two generations of that data: 2019–2021 `*Module` keys (`priceModule`, `storeModule`...) and
2022+ `*Component` keys (`priceComponent`, `sellerComponent`...). Each is a small class; the
switch in `spiders.aliexpress` picks one from the keys present.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from detector.model import Offer
from spiders import money, walls
from spiders.page import PageInput, ProductPage

# the object literal is JavaScript (`data: {...}`), but the value of `data` is plain JSON
_MARKERS = ("window.runParams", "_init_data_")
_DATA_KEYS = ('data:', '"data":')
_SEARCH_LIMIT = 400  # characters between the marker and the `data` key
_DECODER = json.JSONDecoder(parse_float=Decimal)  # money stays Decimal from the first read

_WALL_SIGNS = ("x5secdata", "_____tmd_____", "/punish?", "nc_1_n1z", "baxia-punish", "captcha interception")
_REMOVAL_PHRASES = ("this item is no longer available", "this product is no longer available",
                    "ce produit n'est plus disponible", "cet article n'est plus disponible",
                    "dieser artikel ist nicht mehr verfügbar", "este producto ya no está disponible",
                    "page not found", "page introuvable")


def run_params(text: str) -> dict[str, Any] | None:
    """The `data` object of `window.runParams = {data: {...}}`, or None when the page has none."""
    for marker in _MARKERS:
        start = text.find(marker)
        while start != -1:
            data = _data_after(text, start + len(marker))
            if data:
                return data
            start = text.find(marker, start + len(marker))
    return None


def _data_after(text: str, position: int) -> dict[str, Any] | None:
    window = text[position:position + _SEARCH_LIMIT]
    for key in _DATA_KEYS:
        offset = window.find(key)
        if offset == -1:
            continue
        brace = text.find("{", position + offset + len(key))
        if brace == -1:
            return None
        try:
            value, _ = _DECODER.raw_decode(text, brace)
        except json.JSONDecodeError:
            return None
        if isinstance(value, dict) and "data" in value and isinstance(value["data"], dict) and len(value) <= 3:
            value = value["data"]  # `_init_data_ = { data: { data: {...} } }`
        return value if isinstance(value, dict) and value else None
    return None


def dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class AliExpressPage(ProductPage):
    """Walls, removal and the runParams plumbing shared by both data generations."""

    marketplace = "aliexpress"
    decimal_separator = None  # amounts come as JSON numbers; formatted ones are read per currency

    def __init__(self, page: PageInput, data: dict[str, Any] | None = None):
        super().__init__(page)
        self._data = data

    @cached_property
    def data(self) -> dict[str, Any] | None:
        return self._data if self._data is not None else run_params(self.page.text)

    def module(self, name: str) -> dict[str, Any]:
        value = (self.data or {}).get(name)
        return value if isinstance(value, dict) else {}

    def missing(self, field: str, why: str) -> None:
        self.reasons.append(f"{field} not found: {why}")

    # -- judgement --------------------------------------------------------------------------------
    def wall(self) -> str | None:
        url = self.page.url.casefold()
        if "/punish" in url or "_____tmd_____" in url:
            return "AliExpress slider captcha (punish page)"
        if self.data is None and len(self.page.body) <= walls.SMALL_PAGE:
            text = self.page.text.casefold()
            for sign in _WALL_SIGNS:
                if sign in text:
                    return f"AliExpress slider captcha ({sign})"
        return walls.detect_wall(self.page.text, self.page.headers)

    def gone(self) -> str | None:
        redirect = self._redirected_away()
        if redirect:
            return redirect
        if self.data is not None:
            return self.data_says_gone()
        text = self.page.text.casefold()
        for phrase in _REMOVAL_PHRASES:
            if phrase in text:
                return f"AliExpress removal page ({phrase!r})"
        return None

    def _redirected_away(self) -> str | None:
        if not self.page.redirected:
            return None
        from spiders.aliexpress import identify  # identity rules live with the marketplace

        if identify(self.page.requested_url or "") and not identify(self.page.url):
            path = urlsplit(self.page.url).path or "/"
            return f"redirected away from the item to {path}"
        return None

    def data_says_gone(self) -> str | None:
        return None

    def is_product_page(self) -> bool:
        return self.data is not None

    def not_product_reason(self) -> str:
        return "no window.runParams data on the page (client-rendered shell? fetch through the browser)"

    # -- helpers ----------------------------------------------------------------------------------------
    def amount(self, node: Any) -> tuple[Decimal | None, str | None]:
        """`{"currency": "EUR", "value": 97.39, "formatedAmount": "€ 97,39"}` → (Decimal, "EUR")."""
        if not isinstance(node, dict):
            return None, None
        value = money.decimal_or_none(node.get("value"))
        currency = node.get("currency") or node.get("currencyCode")
        if value is None and node.get("formatedAmount"):
            value, symbol = self.parse_money(node["formatedAmount"])
            currency = currency or symbol
        return value, currency

    def fee(self, free: Any, amount: Any, where: str) -> Decimal | None:
        if free is True or (isinstance(free, str) and free.casefold() == "free"):
            return Decimal("0.00")
        value, _ = self.amount(amount) if isinstance(amount, dict) else (money.decimal_or_none(amount), None)
        if value is None:
            self.missing("shipping_fee", f"no freight in {where} (computed by the page's scripts)")
        return value

    # -- fields: read once (offers() and observe() both ask), from what each generation supplies --------
    @cached_property
    def _price(self) -> tuple[Decimal | None, str | None]:
        return self.read_price()

    @cached_property
    def _shipping(self) -> Decimal | None:
        return self.read_shipping()

    @cached_property
    def _seller(self) -> str | None:
        name = self.read_seller()
        if not name:
            self.missing("seller", "no store name in runParams")
        return name or None

    def title(self) -> str | None:
        return self.read_title()

    def price(self) -> Decimal | None:
        return self._price[0]

    def currency(self) -> str | None:
        return self._price[1] or self.read_currency()

    def shipping_fee(self) -> Decimal | None:
        return self._shipping

    def seller(self) -> str | None:
        return self._seller

    def availability(self) -> str | None:
        quantity = self.read_quantity()
        if quantity is None:
            return None
        try:
            return "InStock" if int(quantity) > 0 else "OutOfStock"
        except (TypeError, ValueError):
            return None

    def offers(self) -> list[Offer]:
        available = self.availability()
        return [Offer(seller=self.seller(), price=self.price(), currency=self.currency(),
                      shipping_fee=self.shipping_fee(),
                      available=None if available is None else available == "InStock")]

    def first_amount(self, node: dict[str, Any], keys: tuple[str, ...], where: str):
        for key in keys:
            value, currency = self.amount(node.get(key))
            if value is not None:
                return value, currency
        self.missing("price", f"no amount in runParams {where}")
        return None, None

    # -- what each data generation supplies ------------------------------------------------------------
    def read_title(self) -> str | None:
        raise NotImplementedError

    def read_price(self) -> tuple[Decimal | None, str | None]:
        raise NotImplementedError

    def read_currency(self) -> str | None:
        raise NotImplementedError

    def read_shipping(self) -> Decimal | None:
        raise NotImplementedError

    def read_seller(self) -> str | None:
        raise NotImplementedError

    def read_quantity(self) -> Any:
        raise NotImplementedError
