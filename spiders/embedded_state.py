"""Product data that a page keeps in its scripts rather than in schema.org markup.

Shops built on Shopify carry their product as JSON (the theme's product JSON, prices in cents, one
`available` flag per variant; `ShopifyAnalytics.meta` for prices only). Single-page shops keep their state
in `__NEXT_DATA__`, `window.__INITIAL_STATE__` and the like, in shapes of their own: there the product is
the object whose name is the page's own product title (h1, og:title), and an amount read from it counts
only when the page shows that same amount (a state may write cents, or a price of something else).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Iterator

from lxml import etree

from spiders import money, schema_org, soft404
from spiders.variants import Variant, fold_id

_SHOPIFY_JSON = etree.XPath(
    "//script[@type='application/json' and (@data-product-json or contains(@id, 'ProductJson')"
    " or contains(@id, 'product-json') or contains(@class, 'product-json') or @data-product-json-data"
    " or contains(@id, 'ProductJSON'))]"
)
_SHOPIFY_META = re.compile(r"var\s+meta\s*=\s*(\{.*?\});\s*(?:\n|for\s*\(|window\.)", re.S)
_SHOPIFY_CURRENCY = re.compile(r"Shopify\.currency\s*=\s*\{\s*\"active\"\s*:\s*\"([A-Z]{3})\"")
_STATE_ASSIGN = re.compile(
    r"(?:window\.|var\s+|let\s+|const\s+)?(__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__NUXT__"
    r"|__STATE__|__APP_STATE__|__INITIAL_DATA__|__SERVER_DATA__|__PRODUCT__|__data|__DATA__|__INITIAL_PROPS__"
    r"|__APP_DATA__|INITIAL_STATE|initialState)"
    r"\s*=\s*(?=[{\[])"
)
_JSON_SCRIPTS = etree.XPath("//script[@type='application/json' or @id='__NEXT_DATA__']")
_INLINE_SCRIPTS = etree.XPath("//script[not(@src) and not(@type) or @type='text/javascript']")

NAME_KEYS = ("name", "title", "productName", "product_name", "displayName", "productTitle")
PRICE_KEYS = ("price", "salePrice", "sale_price", "finalPrice", "final_price", "currentPrice", "current_price",
              "sellingPrice", "selling_price", "priceValue", "offerPrice", "specialPrice", "special_price")
_PRICE_INNER = ("value", "amount", "current", "final", "raw", "price", "centAmount")
# keys saying whether the product can be bought: True means buyable, unless the key is in _NEGATIVE
AVAILABILITY_KEYS = ("availability", "availabilityStatus", "availability_status", "stockStatus", "stock_status",
                     "inventoryStatus", "inStock", "isInStock", "in_stock", "is_in_stock", "available",
                     "isAvailable", "is_available", "purchasable", "isPurchasable", "buyable", "isBuyable",
                     "orderable", "isOrderable", "is_orderable",
                     "soldOut", "isSoldOut", "sold_out", "outOfStock", "isOutOfStock", "out_of_stock")
# where a product object keeps its stock one level down ({"inventory": {"orderable": true}})
STOCK_HOLDERS = ("inventory", "stock", "stockInfo", "availabilityInfo", "inventoryInfo")
_NEGATIVE = frozenset({"soldOut", "isSoldOut", "sold_out", "outOfStock", "isOutOfStock", "out_of_stock"})
VARIANT_KEYS = ("variants", "skus", "hasVariant", "variantList", "variations", "children")
KNOWN_WORDS = frozenset(schema_org.normalise_availability(w) for w in (
    "InStock", "OutOfStock", "SoldOut", "Discontinued", "LimitedAvailability", "PreOrder", "BackOrder", "PreSale",
    "OnlineOnly", "InStoreOnly", "MadeToOrder",
))
_MAX_NODES = 200_000  # a state walk stops here: some pages embed megabytes of catalogue
_MAX_SCRIPT = 5_000_000


@dataclass(frozen=True)
class StateProduct:
    source: str  # named in the check's reasons
    name: str | None
    price: Decimal | None
    currency: str | None
    availability: str | None
    variants: tuple[Variant, ...] = ()
    price_note: str | None = None  # why a price found in the state was not taken


def read(tree: etree._Element, text: str, *, titles: Iterable[str], visible_text: str) -> StateProduct | None:
    """The product the page's scripts describe, or None."""
    return shopify(tree, text) or app_state(tree, titles=titles, visible_text=visible_text)


# -- Shopify -------------------------------------------------------------------------------------
def shopify(tree: etree._Element, text: str) -> StateProduct | None:
    currency = _shopify_currency(text)
    for script in _SHOPIFY_JSON(tree):
        data = _loads(script.text)
        if isinstance(data, dict) and isinstance(data.get("product"), dict):
            data = data["product"]
        if isinstance(data, dict) and isinstance(data.get("variants"), list) and data["variants"]:
            return _shopify_product(data, currency, "Shopify product JSON")
    if "ShopifyAnalytics" in text:
        match = _SHOPIFY_META.search(text)
        meta = _loads(match.group(1)) if match else None
        product = meta.get("product") if isinstance(meta, dict) else None
        if isinstance(product, dict) and isinstance(product.get("variants"), list) and product["variants"]:
            found = _shopify_product(product, currency or _text(meta.get("currency")), "ShopifyAnalytics.meta")
            return found
    return None


def _shopify_product(data: dict, currency: str | None, source: str) -> StateProduct:
    variants = []
    for raw in data["variants"]:
        if not isinstance(raw, dict):
            continue
        ids = {fold_id(raw[k]) for k in ("id", "sku", "barcode", "title", "public_title", "name",
                                          "option1", "option2", "option3") if raw.get(k) not in (None, "")}
        available = raw.get("available")
        word = None if not isinstance(available, bool) else ("InStock" if available else "OutOfStock")
        variants.append(Variant(ids=frozenset(ids), availability=word, price=_cents(raw.get("price")),
                                currency=currency, label=_text(raw.get("public_title") or raw.get("title")
                                                               or raw.get("sku"))))
    available = data.get("available")
    word = None if not isinstance(available, bool) else ("InStock" if available else "OutOfStock")
    price = variants[0].price if variants else _cents(data.get("price"))
    return StateProduct(source=source, name=_text(data.get("title")), price=price, currency=currency,
                        availability=word, variants=tuple(variants))


def _shopify_currency(text: str) -> str | None:
    match = _SHOPIFY_CURRENCY.search(text)
    return match.group(1) if match else None


def _cents(value: Any) -> Decimal | None:
    """Shopify writes prices as integer cents (1999 = 19.99); a decimal string is already an amount."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return money.plausible((Decimal(int(value)) / 100).quantize(Decimal("0.01")), shown=value)
        return money.amount(value)
    except money.ImplausibleAmount:
        return None


# -- application state (Next.js, Redux, Nuxt, ...) ---------------------------------------------------
def app_state(tree: etree._Element, *, titles: Iterable[str], visible_text: str) -> StateProduct | None:
    wanted = [t for t in (soft404.fold(t) for t in titles if t) if len(t) >= 3]
    if not wanted:
        return None
    for source, data in _states(tree):
        node = _find_product(data, wanted)
        if node is not None:
            return _from_node(node, source, visible_text)
    return None


def _states(tree: etree._Element) -> Iterator[tuple[str, Any]]:
    for script in _JSON_SCRIPTS(tree):
        if script.get("data-product-json") is not None:
            continue
        data = _loads(script.text)
        if data is not None:
            yield script.get("id") or "a JSON script", data
    for script in _INLINE_SCRIPTS(tree):
        body = script.text or ""
        # the names all start "__" or say "nitialState"/"INITIAL_STATE": a cheap test spares the regex scan of
        # the big scripts that hold none
        if len(body) > _MAX_SCRIPT or ("__" not in body and "nitialState" not in body and "INITIAL_STATE" not in body):
            continue
        for match in _STATE_ASSIGN.finditer(body):
            try:
                data, _ = json.JSONDecoder().raw_decode(body, match.end())
            except ValueError:
                continue
            yield match.group(1), data


def _find_product(data: Any, wanted: list[str]) -> dict | None:
    """The first object, breadth-first, named like the page's title and carrying a price or a stock flag."""
    queue, seen = [data], 0
    while queue and seen < _MAX_NODES:
        node = queue.pop(0)
        seen += 1
        if isinstance(node, dict):
            name = next((node[k] for k in NAME_KEYS if isinstance(node.get(k), str)), None)
            if name and _names_match(soft404.fold(name), wanted) and (
                    any(k in node for k in PRICE_KEYS) or any(k in node for k in AVAILABILITY_KEYS)):
                return node
            queue.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, (dict, list)))
    return None


_TITLE_PARTS = re.compile(r"\s+[|\-–—:·•]\s+")


def _names_match(name: str, wanted: list[str]) -> bool:
    """The object's name is the page's title, or one part of a "Name | Shop" title, or contains it."""
    if len(name) < 6:
        return False
    for title in wanted:
        if name == title or name in _TITLE_PARTS.split(title):
            return True
        if (len(name) >= 12 and name in title) or (len(title) >= 12 and title in name):
            return True
    return False


def _from_node(node: dict, source: str, visible_text: str) -> StateProduct:
    price, note = _shown_price(node, visible_text)
    currency = next((_text(node[k]).upper() for k in ("currency", "priceCurrency", "currencyCode")
                     if _text(node.get(k)) and len(_text(node[k])) == 3), None)
    if currency is None and isinstance(node.get("price"), dict):
        inner = node["price"]
        currency = next((_text(inner[k]).upper() for k in ("currency", "currencyCode", "priceCurrency")
                         if _text(inner.get(k)) and len(_text(inner[k])) == 3), None)
    variants = tuple(_variants(node))
    return StateProduct(source=source, name=next((_text(node[k]) for k in NAME_KEYS if _text(node.get(k))), None),
                        price=price, currency=currency, availability=availability_of(node), variants=variants,
                        price_note=note)


def availability_of(node: dict) -> str | None:
    found = _stated(node)
    if found is None:
        found = next((_stated(node[k]) for k in STOCK_HOLDERS if isinstance(node.get(k), dict)
                      and _stated(node[k]) is not None), None)
    return found


def _stated(node: dict) -> str | None:
    for key in AVAILABILITY_KEYS:
        value = node.get(key)
        if isinstance(value, bool):
            buyable = value != (key in _NEGATIVE)
            return "InStock" if buyable else "OutOfStock"
        if isinstance(value, str) and key not in _NEGATIVE:
            word = schema_org.normalise_availability(value)
            if word in KNOWN_WORDS:
                return word
    return None


def _variants(node: dict) -> Iterator[Variant]:
    for key in VARIANT_KEYS:
        items = node.get(key)
        if not isinstance(items, list):
            continue
        for item in items[:500]:
            if not isinstance(item, dict):
                continue
            ids = {fold_id(item[k]) for k in ("id", "sku", "skuId", "code", "ean", "gtin", "size", "color", "name",
                                              "title") if isinstance(item.get(k), (str, int)) and item[k] != ""}
            yield Variant(ids=frozenset(ids), availability=availability_of(item),
                          label=_text(item.get("name") or item.get("title") or item.get("sku")))
        return


def _shown_price(node: dict, visible_text: str) -> tuple[Decimal | None, str | None]:
    """The node's price when the page shows the same amount (as written, or read as cents)."""
    for key in PRICE_KEYS:
        raw = node.get(key)
        if isinstance(raw, dict):
            raw = next((raw[k] for k in _PRICE_INNER if raw.get(k) is not None), None)
        if raw is None or isinstance(raw, (bool, dict, list)):
            continue
        try:
            amount = money.amount(raw)
        except money.ImplausibleAmount:
            continue
        if amount is None:
            continue
        candidates = [amount]
        if amount == amount.to_integral_value():
            candidates.append(amount / 100)
        for candidate in candidates:
            if shown(candidate, visible_text):
                return candidate, None
        return None, f"price {raw!r} in the page's state is not shown on the page"
    return None, None


def shown(amount: Decimal, visible_text: str) -> bool:
    """Whether the page's visible text writes this amount (1299.5 as "1 299,50", "1,299.50", "1299.50"...)."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    forms = {f"{int(whole):,}".replace(",", sep) for sep in (",", ".", " ", "\u202f", "\xa0", "'", "")}
    pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    tail = rf"(?:[.,]{cents})" + ("?" if cents == "00" else "")
    return re.search(rf"(?<![\d.,])(?:{pattern}){tail}(?![\d])", visible_text) is not None


def _loads(raw: str | None) -> Any:
    if not raw or len(raw) > _MAX_SCRIPT:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return schema_org.text(value)
