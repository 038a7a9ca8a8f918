"""AliExpress search pages (`/w/wholesale-<words>.html`) as a browser renders them: a list of `a.search-card-item`
cards, each one link to `/item/<id>.html`, in the order the search ranks them.

Paid placements ("P4P", pay for performance) are told by their link: AliExpress adds `aem_p4p_detail=` and, since
about 2023, `search_p4p_id=` to the item link of a promoted card (links copied from its search pages, 2021-26, carry
one or both, or neither: a 2026 list holds both kinds). A card whose link has neither is organic.

What this reader does not vouch for: whether the page holds every result. The only real page it is built on
(tests/fixtures/results/aliexpress) is four cards kept by another project, without the results count or the
pagination a whole page would show, and AliExpress fills its grid as one scrolls. So every page it reads is
`complete=False`: a watch notes the offers seen there, in their order, never an absence.
"""
from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from spiders import aliexpress, money
from spiders.page import PageInput
from spiders.results import ResultsPage, register
from spiders.results_page import Card, Layout, ResultsReader, first, is_sponsored_word, text_of

# the query keys AliExpress puts on the link of a promoted (P4P) card
_PAID_KEYS = ("aem_p4p_detail", "search_p4p_id")
_CARDS = "//a[contains(concat(' ', normalize-space(@class), ' '), ' search-card-item ')][@href]"
# the price component writes its format into each part's style: "decimal_point:,;comma_style:.;currency-symbol:R$"
_PRICE_PARTS = ".//span[contains(@style, 'currency-symbol:')][not(contains(@style, 'line-through'))]"
_DECIMAL_POINT = re.compile(r"decimal_point:\s*([.,])")


class SearchCard(Card):
    def href(self) -> str | None:
        return self.element.get("href")

    def id(self) -> str | None:
        url = self.url()
        return aliexpress.identify(url) if url else None

    def title(self) -> str | None:
        heading = first(self.xpath(".//h3"))
        title = text_of(heading) or first(self.xpath(".//*[@role='heading']/@title")) or ""
        return " ".join(title.split()) or None

    def price_text(self) -> str | None:
        # the shown price is split in parts ("R$", "396", ",", "44"); the struck list price is another span
        parts = [text_of(span) for span in self.xpath(_PRICE_PARTS)]
        return "".join(parts) or None

    def decimal_point(self) -> str | None:
        style = first(self.xpath(_PRICE_PARTS + "/@style")) or ""
        found = _DECIMAL_POINT.search(style)
        return found.group(1) if found else None

    def amount(self) -> tuple[Decimal | None, str | None]:
        # the card says which separator it writes: "R$1.199" is one thousand one hundred ninety-nine reais
        return money.parse(self.price_text(), decimal_separator=self.decimal_point())

    def sponsored(self) -> bool:
        query = parse_qs(urlsplit(self.href() or "").query)
        if any(key in query for key in _PAID_KEYS):
            return True
        return any(is_sponsored_word(text) for text in self.xpath(".//span[not(*)]/text()"))

    def url(self) -> str | None:
        return self.absolute(self.href())


class CardList(Layout):
    """The search grid: hashed class names that change, around `search-card-item` links that stay."""

    card_class = SearchCard

    @classmethod
    def matches(cls, tree) -> bool:
        return bool(tree.xpath(_CARDS))

    def elements(self) -> list:
        return self.tree.xpath(_CARDS)

    def unsure(self) -> str | None:
        return ("AliExpress cards read as rendered: no results count or page end is known to this reader, so "
                "whether every result was rendered is not vouched for")


class AliExpressResults(ResultsReader):
    marketplace = "aliexpress"
    layouts = (CardList,)

    def wall(self) -> str | None:
        # the listing page object's rules: the punish URL, the slider captcha, then the generic walls
        return aliexpress.pick_layout(self.page).wall()


@register("search", "aliexpress")
def read_search(page: PageInput) -> ResultsPage:
    return AliExpressResults(page, "search").read()
