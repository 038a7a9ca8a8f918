"""Which offer of a multi-variant product the listing is about, and whether the product can be bought.

Apparel and many other products carry one offer per size or colour (several schema.org `Offer`s, a
`ProductGroup` with `hasVariant`, an embedded variants list). Some sizes being sold out says nothing
about the product: it can be bought while any variant can. When the registered URL selects a variant
(`?variant=123`, `?size=M`, WooCommerce's `?attribute_pa_size=m`, a SKU in the path), that variant decides.

Pure functions over plain values; `from_schema_org` turns a page's schema.org offers into `Variant`s, and the
other readers (spiders.embedded_state) build theirs.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator, Sequence
from urllib.parse import parse_qsl, urlsplit

from spiders import money, schema_org
from spiders.page import UNAVAILABLE

# query keys by which shops select one variant of a product page
SELECTING_KEYS = frozenset({
    "variant", "variant_id", "variantid", "sku", "skuid", "sku_id", "size", "taille", "grosse", "talla", "taglia",
    "color", "colour", "couleur", "farbe", "vid", "pid", "option", "selected", "article", "ean", "gtin",
})


@dataclass(frozen=True)
class Variant:
    """One buyable form of the product: its identifiers, price and whether it can be bought."""

    ids: frozenset[str]  # sku, gtin, variant id, size/colour names, folded
    availability: str | None  # schema.org word, None when the page does not say
    price: Decimal | None = None
    currency: str | None = None
    label: str | None = None  # shown in history: "M / Bleu", a SKU

    @property
    def available(self) -> bool | None:
        if self.availability is None:
            return None
        return self.availability not in UNAVAILABLE


@dataclass(frozen=True)
class Choice:
    """The variant that stands for the listing and why (a reason for the check's `reasons`)."""

    variant: Variant | None
    availability: str | None
    reason: str | None


def selectors(url: str | None) -> tuple[frozenset[str], str]:
    """(values the URL's query uses to select a variant, its path) — both folded."""
    parts = urlsplit(url or "")
    values = {
        fold_id(value) for key, value in parse_qsl(parts.query)
        if (key.casefold() in SELECTING_KEYS or key.casefold().startswith("attribute_")) and value.strip()
    }
    return frozenset(values), parts.path.casefold()


def fold_id(value: object) -> str:
    return " ".join(str(value).casefold().split())


def choose(variants: Sequence[Variant], url: str | None) -> Choice:
    """The listing's variant and availability.

    - the URL selects exactly one variant (query value, or a SKU among the path's words): that one;
    - otherwise the product is available when any variant is; unavailable only when every variant that
      states its stock is sold out; unknown when none states it.
    """
    if not variants:
        return Choice(None, None, None)
    query_values, path = selectors(url)
    if query_values:
        picked = [v for v in variants if v.ids & query_values]
        if len(picked) == 1 or (picked and _same_stock(picked)):
            return Choice(picked[0], picked[0].availability,
                          f"variant selected by the URL ({_show(picked[0])}): {picked[0].availability or 'stock not stated'}")
    if len(variants) > 1 and path:
        picked = [v for v in variants if any(len(i) >= 5 and i in path for i in v.ids)]
        if len(picked) == 1:
            return Choice(picked[0], picked[0].availability,
                          f"variant named in the URL's path ({_show(picked[0])}): "
                          f"{picked[0].availability or 'stock not stated'}")
    stated = [v for v in variants if v.availability is not None]
    if not stated:
        return Choice(None, None, None)
    buyable = [v for v in stated if v.available]
    if buyable:
        best = buyable[0]
        reason = None
        if len(variants) > 1 and len(buyable) < len(stated):
            reason = (f"{len(stated) - len(buyable)} of {len(stated)} variants sold out; "
                      f"the product can be bought ({_show(best)}: {best.availability})")
        return Choice(best, best.availability, reason)
    word = stated[0].availability
    reason = f"every variant sold out ({len(stated)} of {len(stated)})" if len(stated) > 1 else None
    return Choice(stated[0], word, reason)


def _same_stock(picked: Iterable[Variant]) -> bool:
    return len({v.available for v in picked}) == 1


def _show(variant: Variant) -> str:
    return variant.label or next(iter(sorted(variant.ids)), "?")


def from_schema_org(product: dict | None, offer_nodes: list[dict], separator: str | None,
                    siblings: list[dict]) -> Iterator[Variant]:
    """One Variant per offer (or per ProductGroup variant, or per sibling Product node), with what identifies it."""
    sources: list[tuple[dict, dict | None]] = []
    if isinstance(product, dict) and schema_org.is_type(product, "ProductGroup"):
        for variant in schema_org.as_list(product.get("hasVariant")):
            if isinstance(variant, dict):
                inner = schema_org.offers(variant)
                sources.append((inner[0] if inner else {}, variant))
    elif siblings:
        sources = [(offer, node) for node in (product, *siblings) for offer in schema_org.offers(node)]
    if not sources:
        sources = [(node, None) for node in offer_nodes]
    for offer, variant in sources:
        ids = set()
        for node in (offer, variant, offer.get("itemOffered") if isinstance(offer.get("itemOffered"), dict) else None):
            if not isinstance(node, dict):
                continue
            for key in ("sku", "gtin", "gtin8", "gtin12", "gtin13", "gtin14", "mpn", "productID", "size", "color",
                        "name", "@id", "url"):
                value = schema_org.text(node.get(key))
                if not value:
                    continue
                ids.add(fold_id(value))
                if key in ("@id", "url"):
                    ids |= selectors(value)[0]
        try:
            amount = schema_org.price(offer, decimal_separator=separator)
        except money.ImplausibleAmount:
            amount = None
        label = schema_org.text((variant or {}).get("name")) or schema_org.text(offer.get("sku"))
        yield Variant(ids=frozenset(ids), availability=schema_org.availability(offer), price=amount,
                      currency=schema_org.currency(offer), label=label)
