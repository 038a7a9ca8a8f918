"""The base page object of a storefront or search results page: response in, `ResultsPage` out.

A marketplace module subclasses `ResultsReader` (which walls it knows, which layouts it has) and writes one
small `Layout` class per layout variant, with a `Card` class reading one result (`id()`, `title()`, `price()`,
`sponsored()`, `url()`). `read()` fixes the order in which every results page is judged:

    empty body → wall → HTTP error → cut body → error page → layout (unknown: no answer) → cards → completeness

A page is `complete` only when every result on it was read with its id and its sponsored flag, and an empty
list only when the page itself says there are no results. Everything else is "no answer", never "absent".
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from urllib.parse import urljoin

from lxml import etree

from spiders import money, walls
from spiders.page import PageInput
from spiders.results import Kind, ResultItem, ResultsPage

_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_UNSHOWN_TAGS = frozenset({"script", "style", "noscript", "template", "head"})

# the words marketplaces print on a paid placement, casefolded
SPONSORED_WORDS = frozenset({"sponsored", "sponsorisé", "sponsorise", "sponsorisée", "gesponsert", "sponsorizzato",
                             "patrocinado", "gesponsord", "sponsrad", "sponsorowane"})


def is_sponsored_word(text: str | None) -> bool:
    """True for a label that is exactly a "Sponsored" word (never a title that merely contains one)."""
    return bool(text) and " ".join(text.split()).casefold().strip(" ·•:") in SPONSORED_WORDS


def text_of(element) -> str:
    """An element's visible text, whitespace collapsed ("" for None)."""
    if element is None:
        return ""
    return " ".join(" ".join(_TEXT(element)).split())


def shown_text(root) -> str:
    """The text a visitor can see, whitespace collapsed: not in scripts or templates, nor in elements the markup
    itself hides (`hidden`, `aria-hidden="true"`, `display: none`). One walk over the tree, hidden subtrees skipped."""
    parts: list[str] = []
    skipping = None
    for event, element in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):  # their own text is never shown; the text after them is
            if skipping is None and element.tail:
                parts.append(element.tail)
            continue
        if event == "start":
            if skipping is None and _unshown(element):
                skipping = element
            elif skipping is None and element.text:
                parts.append(element.text)
            continue
        if skipping is element:
            skipping = None
        if skipping is None and element.tail and element is not root:
            parts.append(element.tail)
    return " ".join(" ".join(parts).split())


def _unshown(element) -> bool:
    return (element.tag in _UNSHOWN_TAGS or element.get("hidden") is not None
            or element.get("aria-hidden") == "true"
            or "display:none" in (element.get("style") or "").replace(" ", "").lower())


def first(nodes: list) -> object | None:
    return nodes[0] if nodes else None


def count_in(text: str, patterns: tuple[re.Pattern[str], ...]) -> int | None:
    """The first number one of `patterns` finds in `text`, as an int ("2 000", "2,000", "2.000" → 2000)."""
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            digits = re.sub(r"\D", "", found.group(1))
            if digits and len(digits) <= 12:
                return int(digits)
    return None


class Card:
    """One result on the page. Subclasses read its fields; None means "not on the card"."""

    def __init__(self, element, layout: Layout):
        self.element = element
        self.layout = layout
        self.undecided: str | None = None  # why `sponsored()` answered None, when it knows (named in the reasons)

    def id(self) -> str | None:
        return None

    def title(self) -> str | None:
        return None

    def price_text(self) -> str | None:
        return None

    def amount(self) -> tuple[Decimal | None, str | None] | None:
        """A machine-written price (structured data), when the card has one; None reads `price_text()`."""
        return None

    def sponsored(self) -> bool | None:
        """True for a paid placement, False for an organic result, None when the card does not tell."""
        return False

    def url(self) -> str | None:
        return None

    # -- shared helpers ---------------------------------------------------------------------
    def xpath(self, query: str) -> list:
        return self.element.xpath(query)

    def absolute(self, href: str | None) -> str | None:
        return self.layout.reader.absolute(href)


class Layout:
    """One layout variant of a results page; `matches()` says whether this page is written in it."""

    card_class: type[Card] = Card

    def __init__(self, reader: ResultsReader):
        self.reader = reader
        self.page = reader.page
        self.tree = reader.tree

    @classmethod
    def matches(cls, tree) -> bool:
        raise NotImplementedError

    def elements(self) -> list:
        """The result elements in page order."""
        raise NotImplementedError

    def cards(self) -> list[Card]:
        return [self.card_class(element, self) for element in self.elements()]

    def next_page(self) -> str | None:
        return None

    def total_results(self) -> int | None:
        return None

    def says_no_results(self) -> bool:
        """True only when the page positively says the query or shop has no results."""
        return False

    def unsure(self) -> str | None:
        """A reason when the layout reads items but cannot vouch for their order or flags (the generic reader)."""
        return None


class ResultsReader:
    """Base page object of a results page. Subclasses set `layouts` and may override `wall`/`error_page`."""

    marketplace = "generic"
    layouts: tuple[type[Layout], ...] = ()

    def __init__(self, page: PageInput, kind: Kind = "search"):
        self.page = page
        self.kind = kind

    @property
    def tree(self):
        return self.page.tree

    @cached_property
    def visible_text(self) -> str:
        """The text a visitor sees (hidden blocks and templates left out), whitespace collapsed."""
        body = self.tree.find(".//body")
        return shown_text(body if body is not None else self.tree)

    # -- judgement ---------------------------------------------------------------------------
    def read(self) -> ResultsPage:
        page = self.page
        if not page.body.strip():
            return self.no_answer(f"empty body (http status {page.status})")
        wall = self.wall()
        if wall:
            return self.no_answer(f"blocked: {wall}")
        if page.status >= 400:
            return self.no_answer(f"http status {page.status}")
        cut = self.cut()
        if cut:
            return self.no_answer(cut)
        error = self.error_page()
        if error:
            return self.no_answer(error)
        layout = self.layout()
        if layout is None:
            return self.no_answer(f"unknown {self.marketplace} {self.kind} page layout: no results list found")
        return self.judge(layout)

    def judge(self, layout: Layout) -> ResultsPage:
        items, reasons = self.items(layout.cards())
        total, next_page = layout.total_results(), layout.next_page()
        if not items and not reasons:
            if layout.says_no_results():
                return ResultsPage(complete=True, total_results=0, reasons=("the page says there are no results",))
            return self.no_answer("no result read and the page does not say there are none")
        if total == 0 and items:
            reasons.append(f"the page announces no results but {len(items)} were read")
        unsure = layout.unsure()
        if unsure:
            reasons.append(unsure)
        return ResultsPage(complete=not reasons, items=tuple(items), next_page=next_page,
                           reasons=tuple(reasons), total_results=total)

    def items(self, cards: list[Card]) -> tuple[list[ResultItem], list[str]]:
        """The cards as ResultItems with organic positions; a reason per card that could not be read whole."""
        items: list[ResultItem] = []
        reasons: list[str] = []
        organic = 0
        for index, card in enumerate(cards, 1):
            ident = card.id()
            if not ident:
                reasons.append(f"result {index} has no {self.marketplace} id")
                continue
            sponsored = card.sponsored()
            if sponsored is None and self.kind == "shop":
                sponsored = False  # a storefront lists one seller's offers: a paid one among them is still theirs
            if sponsored is None:
                why = f": {card.undecided}" if card.undecided else ""
                reasons.append(f"result {index} ({ident}): paid placement or not cannot be told{why}")
                continue
            if not sponsored:
                organic += 1
            price, currency = self.price(card)
            items.append(ResultItem(id=ident, position=None if sponsored else organic, sponsored=sponsored,
                                    title=card.title(), price=price, currency=currency, url=card.url()))
        return items, reasons

    def price(self, card: Card) -> tuple[Decimal | None, str | None]:
        """A card's price; an implausible amount is no price, never a wrong one (spiders.money)."""
        try:
            machine = card.amount()
            if machine is not None:
                return machine
            return money.parse(card.price_text(), decimal_separator=self.decimal_separator)
        except money.ImplausibleAmount:
            return None, None

    def absolute(self, href: str | None) -> str | None:
        return urljoin(self.page.url, href.strip()) if href and href.strip() else None

    def no_answer(self, reason: str) -> ResultsPage:
        return ResultsPage(complete=False, reasons=(reason,))

    # -- what subclasses override -------------------------------------------------------------
    decimal_separator: str | None = None

    def wall(self) -> str | None:
        return walls.detect_wall(self.page.text, self.page.headers)

    def cut(self) -> str | None:
        """A reason when the body stops before its end (a dropped connection): an HTML page that opens `<html` and
        never closes it. Whole cards before the cut would otherwise read as a complete, shorter page."""
        head, tail = self.page.body[:2048].lower(), self.page.body[-4096:].lower()
        if b"<html" in head and b"</html" not in tail:
            return "the page stops before its end (no </html>): cut off"
        return None

    def error_page(self) -> str | None:
        """A reason when the marketplace answered with its own error page (a 200 "something went wrong")."""
        return None

    def layout(self) -> Layout | None:
        for layout in self.layouts:
            if layout.matches(self.tree):
                return layout(self)
        return None
