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
