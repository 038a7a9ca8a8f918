"""schema.org product data from JSON-LD, microdata and OpenGraph, shared by every adapter.

extruct reads the page (uniform output, only the three syntaxes product pages use);
the helpers below turn its dicts into the few things a page object needs: the Product
node, its offers, and each offer's price, currency, availability, seller and delivery fee.
Values are read leniently because real pages are sloppy: a type may be a URL or a list,
an offer a list or an AggregateOffer, a price a number, a string or a priceSpecification.
"""
from __future__ import annotations

import html
import importlib
import logging
import re
import sys
import types
from decimal import Decimal
from functools import cached_property
from typing import Any, Iterable, Iterator

from lxml import etree


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in for a module in sys.modules until one of its names is read, then imports the real one.
    (importlib's LazyLoader does not do here: on Python 3.11 the `import` statement itself loads it.)"""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__path__":  # e.g. inspect.getmodule() reading every module's __file__
            raise AttributeError(name)
        sys.modules.pop(self.__name__, None)
        real = importlib.import_module(self.__name__)
        self.__dict__.update(vars(real))
        return getattr(real, name)


# extruct imports every syntax's parser when it is imported. Vigie never reads microformats, and mf2py
# (with BeautifulSoup) was a quarter of `vigie check`'s start-up imports (~0.15 s): imported on first use.
if "mf2py" not in sys.modules:
    sys.modules["mf2py"] = _ImportedOnFirstUse("mf2py")

import extruct  # noqa: E402
from extruct.jsonld import JsonLdExtractor  # noqa: E402

from spiders import money  # noqa: E402

log = logging.getLogger(__name__)

SYNTAXES = ("json-ld", "microdata", "opengraph")

PRODUCT_TYPES = frozenset({
    "Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts", "Vehicle", "Car",
})
OFFER_TYPES = frozenset({"Offer", "AggregateOffer"})
# priceSpecification entries that are not what the buyer pays now
_NOT_THE_PRICE = ("ListPrice", "StrikethroughPrice", "SRP", "MSRP", "InvoicePrice", "MinimumAdvertisedPrice")

# schema.org ItemAvailability words, and the spellings OpenGraph and shops use for them
_AVAILABILITY = {
    word.casefold(): word
    for word in (
        "InStock", "OutOfStock", "SoldOut", "Discontinued", "LimitedAvailability", "PreOrder", "PreSale",
        "BackOrder", "OnlineOnly", "InStoreOnly", "MadeToOrder", "Reserved",
    )
}
_AVAILABILITY.update({
    "oos": "OutOfStock", "available": "InStock", "availablefororder": "InStock",
    "pending": "PreOrder", "instockonline": "InStock", "notavailable": "OutOfStock", "unavailable": "OutOfStock",
})
# schema.org, and Google's retired data-vocabulary.org that older shops still write
_SCHEMA_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:schema|data-vocabulary)\.org/|^schema:", re.I)
_JSONLD_SCRIPTS = etree.XPath('//script[@type="application/ld+json"]')


class StructuredData:
    """What one page's structured data says, per syntax (uniform dicts, as extruct gives them).

    Each syntax is read on first use: on a page whose JSON-LD carries the product with its offers, microdata
    and OpenGraph are never read (they were a quarter of reading a typical shop page)."""

    def __init__(self, tree: etree._Element, *, base_url: str | None = None, syntaxes: Iterable[str] = SYNTAXES):
        self._tree, self._base_url, self._wanted = tree, base_url, frozenset(syntaxes)

    @cached_property
    def jsonld(self) -> tuple[dict, ...]:
        return tuple(_jsonld(self._tree, self._base_url)) if "json-ld" in self._wanted else ()

    @cached_property
    def microdata(self) -> tuple[dict, ...]:
        if "microdata" not in self._wanted or not self._tree.xpath("boolean(//*[@itemscope])"):
            return ()  # the cheap path on big pages without microdata
        return self._extruct("microdata")

    @cached_property
    def opengraph(self) -> tuple[dict, ...]:
        return self._extruct("opengraph") if "opengraph" in self._wanted else ()

    def _extruct(self, syntax: str) -> tuple[dict, ...]:
        try:
            found = extruct.extract(self._tree, base_url=self._base_url, syntaxes=[syntax], uniform=True,
                                    errors="strict")
        except Exception as exc:  # extruct on hostile HTML: the page simply has no readable data
            log.debug("extruct failed on %s: %s", self._base_url, exc)
            return ()
        return tuple(item for item in found.get(syntax, ()) if isinstance(item, dict))

    def products(self) -> list[dict]:
        """Every Product node, JSON-LD first (sites keep it most complete), then microdata."""
        return products(self.jsonld) + products(self.microdata)

    def product(self) -> dict | None:
        """The page's main product: the first that carries offers, else the first."""
        found = products(self.jsonld)
        offered = next((p for p in found if offers(p)), None)
        if offered is not None:  # JSON-LD comes first: microdata could not change the answer
            return offered
        found += products(self.microdata)
        return next((p for p in found if offers(p)), found[0] if found else None)

    def variant_products(self, main: dict | None) -> list[dict]:
        """Other Product nodes with offers that are variants of `main` (one node per size or colour, as some
        shops write them): the same product group, or a name that starts like the main one's."""
        if not isinstance(main, dict):
            return []
        jsonld = products(self.jsonld)  # the main product's own syntax only: microdata is read when it is needed
        pool = jsonld if any(p is main for p in jsonld) else products(self.microdata)
        return [p for p in pool if p is not main and offers(p) and _same_group(main, p)]

    def og(self, key: str) -> str | None:
        """An OpenGraph value (`"product:price:amount"`, `"og:type"`), first one if repeated."""
        for item in self.opengraph:
            value = item.get(key)
            if key == "og:type" and value is None:
                value = item.get("@type")  # uniform output moves og:type to @type
            value = first(value)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    def og_product(self) -> bool:
        return (self.og("og:type") or "").casefold() in ("product", "og:product", "product.item") or bool(
            self.og("product:price:amount") or self.og("og:price:amount")
        )

    def og_price(self, *, decimal_separator: str | None = None) -> tuple[Decimal | None, str | None]:
        amount = self.og("product:price:amount") or self.og("og:price:amount")
        return _amount(amount, decimal_separator), self.og_currency()

    def og_currency(self) -> str | None:
        currency = self.og("product:price:currency") or self.og("og:price:currency")
        return currency.upper() if currency else None

    def og_availability(self) -> str | None:
        return normalise_availability(self.og("product:availability") or self.og("og:availability"))


def read(tree: etree._Element, *, base_url: str | None = None, syntaxes: Iterable[str] = SYNTAXES) -> StructuredData:
    """Structured data of a parsed page (lxml tree, parsed once by the page object), read as it is asked for."""
    return StructuredData(tree, base_url=base_url, syntaxes=syntaxes)


def _jsonld(tree: etree._Element, base_url: str | None) -> Iterator[dict]:
    """Each script on its own, so one broken block does not hide the others."""
    extractor = JsonLdExtractor()
    for script in _JSONLD_SCRIPTS(tree):
        try:
            items = extractor.extract_items(script, base_url=base_url)
        except Exception:  # broken JSON-LD is common; skip that block only
            continue
        yield from (item for item in items if isinstance(item, dict))


# -- nodes ---------------------------------------------------------------------------------
def types(node: Any) -> set[str]:
    """The bare schema.org type names of a node (`"http://schema.org/Product"` → `"Product"`)."""
    if not isinstance(node, dict):
        return set()
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {_SCHEMA_PREFIX.sub("", v).strip() for v in values if isinstance(v, str)}


def is_type(node: Any, *names: str) -> bool:
    # case-insensitive: real pages write "aggregateOffer" too
    return bool({t.casefold() for t in types(node)} & {n.casefold() for n in names})


def jsonld_product(root: Any, *, base_url: str | None = None) -> dict | None:
    """The page's first JSON-LD Product node (JSON-LD only: the cheap syntax, enough for most sites)."""
    found = products(list(read(root, base_url=base_url, syntaxes=("json-ld",)).jsonld))
    return found[0] if found else None


def products(items: Iterable[Any]) -> list[dict]:
    """Product nodes among top-level items, inside `@graph` and inside a page's `mainEntity`."""
    found: list[dict] = []
    for node in _roots(items, depth=0):
        if is_type(node, *PRODUCT_TYPES) and not any(node is f for f in found):
            found.append(node)
    return found


def _roots(items: Iterable[Any], *, depth: int) -> Iterator[dict]:
    if depth > 4:
        return
    for node in as_list(items):
        if not isinstance(node, dict):
            continue
        yield node
        if "@graph" in node:
            yield from _roots(as_list(node["@graph"]), depth=depth + 1)
        for key in ("mainEntity", "mainEntityOfPage"):
            if isinstance(node.get(key), (dict, list)):
                yield from _roots(as_list(node[key]), depth=depth + 1)


def _group_ids(product: dict) -> set[str]:
    ids = {text(product.get(k)) for k in ("inProductGroupWithID", "productGroupID")}
    parent = product.get("isVariantOf")
    if isinstance(parent, dict):
        ids |= {text(parent.get(k)) for k in ("@id", "productGroupID", "url")}
    elif isinstance(parent, str):
        ids.add(parent)
    return {i for i in ids if i}


def _same_group(main: dict, other: dict) -> bool:
    if _group_ids(main) & _group_ids(other):
        return True
    first, second = (" ".join((text(p.get("name")) or "").casefold().split()) for p in (main, other))
    shorter = min(len(first), len(second))
    if shorter < 10:
        return False
    common = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b), shorter)
    return common >= max(10, int(shorter * 0.7))


def offers(product: dict | None) -> list[dict]:
    """The product's offers, flattened: a list, one Offer, or an AggregateOffer's own offers.

    An AggregateOffer without inner offers is kept as one offer (its price is lowPrice).
    A ProductGroup without offers of its own lends its variants' offers.
    """
    if not isinstance(product, dict):
        return []
    found = list(_flatten_offers(product.get("offers"), depth=0))
    if not found and is_type(product, "ProductGroup"):
        for variant in as_list(product.get("hasVariant")):
            if isinstance(variant, dict):
                found.extend(_flatten_offers(variant.get("offers"), depth=0))
    return found


def _flatten_offers(value: Any, *, depth: int) -> Iterator[dict]:
    for offer in as_list(value):
        if not isinstance(offer, dict):
            continue
        inner = offer.get("offers")
        if depth < 3 and is_type(offer, "AggregateOffer") and inner:
            yield from _flatten_offers(inner, depth=depth + 1)
        else:
            yield offer


# -- fields of one offer ---------------------------------------------------------------------
def price(offer: dict | None, *, decimal_separator: str | None = None) -> Decimal | None:
    """What the buyer pays: `price`, an AggregateOffer's `lowPrice`, or the priceSpecification.
    Raises money.ImplausibleAmount when the page states one that is no plausible amount."""
    if not isinstance(offer, dict):
        return None
    for key in ("price", "lowPrice"):
        amount = _amount(first(offer.get(key)), decimal_separator)
        if amount is not None:
            return amount
    spec = _price_specification(offer)
    return _amount(first(spec.get("price")), decimal_separator) if spec else None


def currency(offer: dict | None) -> str | None:
    if not isinstance(offer, dict):
        return None
    code = text(offer.get("priceCurrency"))
    if not code:
        spec = _price_specification(offer)
        code = text(spec.get("priceCurrency")) if spec else None
    if not code:
        code = money.currency_of(text(offer.get("price")))
    return code.strip().upper() if code else None


def availability(offer: dict | None) -> str | None:
    return normalise_availability(offer.get("availability")) if isinstance(offer, dict) else None


def normalise_availability(value: Any) -> str | None:
    """`"https://schema.org/InStock"`, `"http://schema.org/InStock"`, `"instock"`, `"in stock"` → `"InStock"`."""
    word = text(value)
    if not word:
        return None
    bare = _SCHEMA_PREFIX.sub("", word.strip()).rstrip("/")
    bare = bare.rsplit("/", 1)[-1]
    key = re.sub(r"[\s_\-]", "", bare).casefold()
    return _AVAILABILITY.get(key, bare or None)


def seller(offer: dict | None) -> str | None:
    """The offer's seller name (`seller` or `offeredBy`, an Organization, a Person or plain text)."""
    if not isinstance(offer, dict):
        return None
    for key in ("seller", "offeredBy"):
        name = text(offer.get(key))
        if name:
            return name
    return None


def shipping_fee(offer: dict | None, *, decimal_separator: str | None = None) -> Decimal | None:
    """`shippingDetails.shippingRate.value` of the first shipping option; 0 when it says free."""
    if not isinstance(offer, dict):
        return None
    for details in as_list(offer.get("shippingDetails")):
        if not isinstance(details, dict):
            continue
        if _truthy(details.get("doesNotShip")):
            continue
        rate = first(details.get("shippingRate"))
        if isinstance(rate, dict):
            amount = first(rate.get("value"))
            if amount is None:
                amount = first(rate.get("minValue"))
            fee = _amount(amount, decimal_separator)
            if fee is not None:
                return fee
        elif rate is not None:
            fee = _amount(rate, decimal_separator)
            if fee is not None:
                return fee
    return None


def has_price(offer: dict | None, *, decimal_separator: str | None = None) -> bool:
    """Whether the offer states a plausible price (never raises: for choosing among offers)."""
    try:
        return price(offer, decimal_separator=decimal_separator) is not None
    except money.ImplausibleAmount:
        return False


# -- small value helpers -------------------------------------------------------------------
def first(value: Any) -> Any:
    """The first item of a list, the value itself otherwise."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def text(value: Any) -> str | None:
    """A node's human text: a string, a dict's `name` (or `@value`), the first of a list."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("legalName")
        value = first(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        if "&" in value:  # shops HTML-escape their JSON-LD text ("Ski &quot;Pro&quot;")
            value = html.unescape(value)
        return " ".join(value.split())
    return None


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _truthy(value: Any) -> bool:
    value = first(value)
    return value is True or (isinstance(value, str) and value.strip().casefold() in ("true", "1"))


def _amount(value: Any, decimal_separator: str | None) -> Decimal | None:
    """A machine amount ("19.99", 19.99) exactly; a human one ("19,99 €") through price-parser.
    Both pass money's plausibility gate: an implausible one raises money.ImplausibleAmount."""
    return money.amount(value, decimal_separator=decimal_separator)


def _price_specification(offer: dict) -> dict | None:
    specs = [s for s in as_list(offer.get("priceSpecification")) if isinstance(s, dict)]
    for spec in specs:
        kind = text(spec.get("priceType")) or ""
        if not any(word.casefold() in kind.casefold() for word in _NOT_THE_PRICE):
            return spec
    return None
