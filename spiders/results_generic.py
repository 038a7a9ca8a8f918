"""The generic results reader: schema.org `ItemList`/`OfferCatalog`, else a grid of product links.

It serves the marketplaces without a results page object of their own (Cdiscount, Rakuten, Fnac, ManoMano,
La Redoute, Conforama, Leboncoin, any shop; AliExpress shops, whose search pages have spiders.results_aliexpress), using each marketplace's own `identify()` to tell
its product links apart. It knows no sponsored label and no layout, so it vouches for a page only in one
case: a storefront whose ItemList says how many offers it holds and lists exactly that many. Everything else
it reads is returned with `complete=False` and the reason: seen offers, never evidence of absence.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cached_property

from spiders import money, registry, schema_org
from spiders.page import PageInput
from spiders.results import ResultsPage, register
from spiders.results_page import Card, Layout, ResultsReader, text_of

_LIST_TYPES = ("ItemList", "OfferCatalog")
_NO_RESULTS = ("aucun résultat", "aucun produit ne correspond", "0 résultat", "no results found", "0 results",
               "keine ergebnisse", "nessun risultato", "ningún resultado", "nous n'avons trouvé aucun",
               "aucune annonce", "désolé, nous n'avons pas trouvé")
_MAX_NODES = 2000  # a list longer than any results page is not one


class ListItemCard(Card):
    """One `itemListElement`: a ListItem wrapping a Product or Offer, or the Product itself."""

    @property
    def node(self) -> dict:
        return self.element

    @property
    def thing(self) -> dict:
        item = self.node.get("item")
        return item if isinstance(item, dict) else self.node

    def url(self) -> str | None:
        for value in (self.thing.get("url"), self.thing.get("@id"), self.node.get("url")):
            if isinstance(value, str) and value.strip():
                return self.absolute(value)
        return None

    def id(self) -> str | None:
        url = self.url()
        return self.layout.reader.identify(url) if url else None

    def title(self) -> str | None:
        name = self.thing.get("name") or self.node.get("name")
        return " ".join(name.split()) if isinstance(name, str) and name.strip() else None

    def amount(self) -> tuple[Decimal | None, str | None]:
        offers = schema_org.offers(self.thing) if schema_org.is_type(self.thing, "Product") else [self.thing]
        offer = offers[0] if offers else None
        price = schema_org.price(offer)
        return (price, schema_org.currency(offer)) if price is not None else (None, None)


class ItemListLayout(Layout):
    """The page's own structured list of what it shows."""

    card_class = ListItemCard

    @classmethod
    def matches(cls, tree) -> bool:
        return bool(tree.xpath("//script[@type='application/ld+json'][contains(., 'ItemList') or"
                               " contains(., 'OfferCatalog')] | //*[contains(@itemtype, 'ItemList') or"
                               " contains(@itemtype, 'OfferCatalog')]"))

    @cached_property
    def listed(self) -> dict:
        """The page's first ItemList/OfferCatalog that lists something ({} when none does)."""
        data = schema_org.read(self.tree, base_url=self.page.url)
        for node in _walk(list(data.jsonld) + list(data.microdata)):
            if schema_org.is_type(node, *_LIST_TYPES) and schema_org.as_list(node.get("itemListElement")):
                return node
        return {}

    @cached_property
    def entries(self) -> list[dict]:
        found = schema_org.as_list(self.listed.get("itemListElement"))[:_MAX_NODES]
        return sorted((e for e in found if isinstance(e, dict)), key=_position)

    def elements(self) -> list:
        return self.entries

    def unsure(self) -> str | None:
        if self.reader.kind == "shop":
            announced = money.decimal_or_none(self.listed.get("numberOfItems"))
            if announced is not None and announced == len(self.entries):
                return None
        return ("read from the page's schema.org list only: its order, its sponsored entries and whether it "
                "holds every result are not vouched for")

    def says_no_results(self) -> bool:
        return _says_no_results(self.reader)


class LinkCard(Card):
    def url(self) -> str | None:
        return self.absolute(self.element.get("href"))

    def id(self) -> str | None:
        url = self.url()
        return self.layout.reader.identify(url) if url else None

    def title(self) -> str | None:
        return text_of(self.element) or self.element.get("title") or self.element.get("aria-label") or None


class ProductLinkGrid(Layout):
    """Links to the marketplace's product pages, in page order, one per product (repeats folded)."""

    card_class = LinkCard

    @classmethod
    def matches(cls, tree) -> bool:
        return True  # the last resort: a page without product links may still say "no results"

    def elements(self) -> list:
        return self.links

    @cached_property
    def links(self) -> list:
        seen: set[str] = set()
        found = []
        for link in self.tree.xpath("//body//a[@href]"):
            card = self.card_class(link, self)
            ident = card.id()
            if ident and ident not in seen:
                seen.add(ident)
                found.append(link)
            if len(found) >= _MAX_NODES:
                break
        return found

    def unsure(self) -> str | None:
        return ("read from product links only: their order, any sponsored placement and whether every "
                "result was seen are not vouched for")

    def says_no_results(self) -> bool:
        return _says_no_results(self.reader)


class GenericResults(ResultsReader):
    layouts = (ItemListLayout, ProductLinkGrid)

    def __init__(self, page: PageInput, kind, marketplace: str = "generic"):
        super().__init__(page, kind)
        self.marketplace = marketplace

    def identify(self, url: str) -> str | None:
        """The marketplace's own id of a product URL (its listing adapter's `identify`)."""
        if self.marketplace == "generic":
            return None
        return registry.by_name(self.marketplace).identify(url)

    def layout(self) -> Layout | None:
        # a list without readable ids says nothing: fall through to the links
        for layout_class in self.layouts:
            if layout_class.matches(self.tree):
                layout = layout_class(self)
                if layout.elements() or layout.says_no_results():
                    return layout
        return None

    @cached_property
    def listing_page(self):
        """The marketplace's listing page object on this response: its wall rules and money format apply."""
        return registry.by_name(self.marketplace).page(self.page)

    def wall(self) -> str | None:
        return self.listing_page.wall()  # the marketplace's own rules, which include the generic ones

    @property
    def decimal_separator(self) -> str | None:  # type: ignore[override]
        return self.listing_page.decimal_separator


def _says_no_results(reader: ResultsReader) -> bool:
    text = reader.visible_text.casefold()
    return any(phrase in text for phrase in _NO_RESULTS)


def _position(node: dict) -> int:
    value = money.decimal_or_none(node.get("position"))
    return int(value) if value is not None and value == value.to_integral_value() else 1_000_000


def _walk(nodes: list, depth: int = 0) -> Iterator[dict]:
    """Every dict among the nodes, their @graph and their mainEntity (where pages nest their lists)."""
    if depth > 4:
        return
    for node in nodes:
        if isinstance(node, dict):
            yield node
            for key in ("@graph", "mainEntity", "hasOfferCatalog"):
                child = node.get(key)
                if isinstance(child, (dict, list)):
                    yield from _walk(schema_org.as_list(child), depth + 1)


def _reader_for(kind, marketplace: str) -> Callable[[PageInput], ResultsPage]:
    def read(page: PageInput) -> ResultsPage:
        return GenericResults(page, kind, marketplace).read()
    read.__name__ = f"read_{kind}_{marketplace}"
    return read


# marketplaces without a results page object of their own (no real results page to build one from yet)
GENERIC_MARKETPLACES = ("generic", "cdiscount", "rakuten", "fnac", "manomano", "laredoute", "conforama",
                        "leboncoin", "aliexpress")
# search pages read by a page object of their own (spiders.results_<name>); their shops stay here
OWN_SEARCH_READER = ("aliexpress",)
for _name in GENERIC_MARKETPLACES:
    for _kind in ("shop", "search"):
        if not (_kind == "search" and _name in OWN_SEARCH_READER):
            register(_kind, _name)(_reader_for(_kind, _name))
