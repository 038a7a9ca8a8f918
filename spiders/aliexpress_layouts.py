"""The two generations of AliExpress runParams data, one small class each."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from spiders.aliexpress_page import AliExpressPage, dig


class ModuleData(AliExpressPage):
    """2019–2021: `priceModule`, `storeModule`, `quantityModule`, `titleModule`, `actionModule`."""

    KEY = "priceModule"

    def data_says_gone(self) -> str | None:
        redirect = self.module("redirectModule")
        if redirect.get("redirectUrl") and redirect.get("code") not in (None, "OK"):
            return f"runParams redirect ({redirect.get('code')}) to {redirect['redirectUrl']}"
        status = self.module("actionModule").get("itemStatus")
        if status not in (None, 0, "0"):
            return f"item status {status} (taken offline)"
        return None

    def read_title(self) -> str | None:
        return self.module("titleModule").get("subject") or dig(self.data, "pageModule", "title")

    def read_price(self) -> tuple[Decimal | None, str | None]:
        # the activity (sale) price is what the buyer pays while a promotion runs
        return self.first_amount(self.module("priceModule"), ("minActivityAmount", "minAmount"), "priceModule")

    def read_currency(self) -> str | None:
        return self.module("commonModule").get("currencyCode")

    def read_shipping(self) -> Decimal | None:
        freight = dig(self.data, "shippingModule", "freightCalculateInfo", "freight") or {}
        return self.fee(freight.get("freeShipping") or freight.get("shippingFee"), freight.get("freightAmount"),
                        "shippingModule")

    def read_seller(self) -> str | None:
        return self.module("storeModule").get("storeName")

    def read_quantity(self) -> Any:
        quantity = self.module("quantityModule").get("totalAvailQuantity")
        return quantity if quantity is not None else self.module("actionModule").get("totalAvailQuantity")


class ComponentData(AliExpressPage):
    """2022+: `priceComponent`, `sellerComponent`, `inventoryComponent`, `productInfoComponent`."""

    KEY = "priceComponent"

    def data_says_gone(self) -> str | None:
        redirect = self.module("redirectComponent")
        if redirect.get("redirectUrl"):
            return f"runParams redirect to {redirect['redirectUrl']}"
        status = self.module("productInfoComponent").get("itemStatus")
        if status not in (None, 0, "0"):
            return f"item status {status} (taken offline)"
        return None

    def read_title(self) -> str | None:
        return (self.module("productInfoComponent").get("subject") or self.module("titleComponent").get("subject")
                or dig(self.data, "metaDataComponent", "title"))

    def read_price(self) -> tuple[Decimal | None, str | None]:
        prices = self.module("priceComponent")
        value, currency = self.amount(dig(prices, "discountPrice", "minActivityAmount"))
        if value is None:
            value, currency = self.amount(dig(prices, "origPrice", "minAmount"))
        if value is None:
            self.missing("price", "no amount in runParams priceComponent")
        return value, currency

    def read_currency(self) -> str | None:
        return self.module("currencyComponent").get("currencyCode")

    def read_shipping(self) -> Decimal | None:
        layouts = dig(self.data, "webGeneralFreightCalculateComponent", "originalLayoutResultList") or [{}]
        biz = layouts[0].get("bizData", {}) if isinstance(layouts[0], dict) else {}
        return self.fee(biz.get("shippingFee"), biz.get("displayAmount"), "webGeneralFreightCalculateComponent")

    def read_seller(self) -> str | None:
        return self.module("sellerComponent").get("storeName") or self.module("storeInfoComponent").get("storeName")

    def read_quantity(self) -> Any:
        return self.module("inventoryComponent").get("totalAvailQuantity")
