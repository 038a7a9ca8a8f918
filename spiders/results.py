"""Storefront and search results pages: the contract shared by their page objects and their watches.

A results page object takes a saved or fetched page (`PageInput`) and answers a `ResultsPage`: the offers it
lists in order, whether the page could be read whole, and the link to the next page. A wall, an error page or
a layout the adapter does not know is `complete=False` with no items and the reason: never "no offers".
A page read but not vouched for (the generic reader's product links, an undecodable paid label) is also
`complete=False`, and may still list what it saw: a watch may note offers seen there, never an offer missing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from spiders.page import PageInput

Kind = Literal["shop", "search"]
KINDS: tuple[Kind, ...] = ("shop", "search")


@dataclass(frozen=True)
class ResultItem:
    id: str                      # the marketplace's own id: ASIN, eBay item number, Cdiscount product id...
    position: int | None         # organic rank on the walk (1, 2, ...); None for a sponsored item
    sponsored: bool
    title: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    url: str | None = None
    seller: str | None = None


@dataclass(frozen=True)
class ResultsPage:
    complete: bool
    items: tuple[ResultItem, ...] = ()
    next_page: str | None = None
    reasons: tuple[str, ...] = ()
    total_results: int | None = None   # the count the page announces ("1-48 of 2,000 results"), when it does
    extra: dict = field(default_factory=dict)


ResultsParser = Callable[[PageInput], ResultsPage]


def walk_positions(pages: Iterable[ResultsPage]) -> tuple[ResultItem, ...]:
    """The items of consecutive pages of one walk, organic positions counted across the pages (a page object
    numbers its own page from 1); sponsored items keep no position."""
    items: list[ResultItem] = []
    organic = 0
    for page in pages:
        for item in page.items:
            if item.sponsored:
                items.append(replace(item, position=None))
            else:
                organic += 1
                items.append(replace(item, position=organic))
    return tuple(items)

_PARSERS: dict[tuple[Kind, str], ResultsParser] = {}


def register(kind: Kind, *marketplaces: str) -> Callable[[ResultsParser], ResultsParser]:
    """Decorator: `parser` reads `kind` pages of these marketplaces (registry names, as in spiders.registry)."""
    def wrap(parser: ResultsParser) -> ResultsParser:
        for name in marketplaces:
            _PARSERS[(kind, name)] = parser
        return parser
    return wrap


def parser_for(kind: Kind, marketplace: str) -> ResultsParser:
    """The page object for this kind of page on this marketplace; KeyError (with a readable message) if none."""
    _load_adapters()
    try:
        return _PARSERS[(kind, marketplace)]
    except KeyError:
        known = sorted(name for k, name in _PARSERS if k == kind)
        raise KeyError(f"no {kind} page reader for {marketplace!r}; known: {', '.join(known) or 'none'}") from None


def _load_adapters() -> None:
    """Adapters register themselves on import; the modules are listed in ADAPTER_MODULES."""
    import importlib

    for module in ADAPTER_MODULES:
        importlib.import_module(module)


# modules whose import registers results page objects (each adds its own line)
ADAPTER_MODULES: tuple[str, ...] = (
    "spiders.results_aliexpress",
    "spiders.results_amazon",
    "spiders.results_ebay",
    "spiders.results_generic",
    "spiders.results_sandbox",
)
