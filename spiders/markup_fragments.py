"""schema.org properties written on elements that belong to no Product: `itemprop="price"` on a span of a
page whose microdata has no Product scope, RDFa `property="schema:price"`, `<meta property="product:price">`.

Only the first value of each property counts: a page with fragments for several products (a list) is not
read here, since the generic page object asks only when the page names one product (its title).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_CANDIDATES = etree.XPath("//*[@itemprop or @property]")
_TWITTER = etree.XPath("//meta[starts-with(@name, 'twitter:label') or starts-with(@name, 'twitter:data')]")
# the label a shop gives its price in a Twitter product card, in the seed languages
PRICE_LABELS = frozenset({"price", "prix", "preis", "precio", "prezzo", "prijs", "cena", "preco", "preço", "pret",
                          "preț", "fiyat"})
_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:|s:|og:|product:)", re.I)
WANTED = {"price": "price", "lowprice": "price", "price:amount": "price", "pricecurrency": "currency",
          "price:currency": "currency", "availability": "availability", "name": "name"}


@dataclass(frozen=True)
class Fragments:
    values: dict[str, list[str]]

    def first(self, key: str) -> str | None:
        found = self.values.get(key)
        return found[0] if found else None

    def count(self, key: str) -> int:
        return len(self.values.get(key, ()))


def read(tree: etree._Element) -> Fragments:
    values: dict[str, list[str]] = {}
    for element in _CANDIDATES(tree):
        for attribute in ("itemprop", "property"):
            for raw in (element.get(attribute) or "").split():
                key = WANTED.get(_PREFIX.sub("", raw).casefold())
                if key is None or (key == "name" and attribute == "property"):
                    continue
                value = element.get("content") or element.get("href") or element.get("value")
                if value is None:
                    value = " ".join(" ".join(element.itertext()).split())
                if value and value.strip():
                    values.setdefault(key, []).append(value.strip())
    return Fragments(values)


def twitter_price(tree: etree._Element) -> str | None:
    """The value of a Twitter card's `twitter:dataN` whose `twitter:labelN` says "Price"."""
    metas = {m.get("name", "").casefold(): (m.get("content") or "").strip() for m in _TWITTER(tree)}
    for name, label in metas.items():
        if name.startswith("twitter:label") and label.casefold() in PRICE_LABELS:
            value = metas.get("twitter:data" + name.removeprefix("twitter:label"))
            if value:
                return value
    return None
