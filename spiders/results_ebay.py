"""eBay search (`/sch/i.html?_nkw=`, seller `_ssn=`) and store (`/str/<store>`) pages.

Three search layouts live side by side (classic `li.s-item`, 2025 `s-card`, 2026 `su-item-card`) and one
store layout (`article.str-item-card`). Item numbers come from the `/itm/<number>` links. The first classic
result is a dummy "Shop on eBay" tile and is skipped; results after the "results matching fewer words"
marker do not match the query and are not read. eBay hides its "Sponsored" label behind letters shown or
hidden by the page's own stylesheet: the label is decoded from that stylesheet, and a card whose label
cannot be decoded makes the search page incomplete (never a guessed organic rank).
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from spiders import walls
from spiders.ebay import identify
from spiders.ebay_layouts import EbayPage
from spiders.ebay_sites import currency_in, decimal_separator, site_currency, site_tld
from spiders.page import PageInput
from spiders.results import ResultsPage, register
from spiders.results_labels import drawn_label
from spiders.results_page import Card, Layout, ResultsReader, count_in, first, is_sponsored_word, text_of

_PLACEHOLDER_TITLES = frozenset({"shop on ebay", "acheter sur ebay", "bei ebay einkaufen"})
_PLACEHOLDER_IDS = frozenset({"123456"})
_NEW_LISTING = re.compile(r"^(?:New listing|Nouvelle annonce|Neues Angebot|Nuova inserzione|Nuevo anuncio)\s*",
                          re.I)
# the screen-reader suffix eBay puts inside result links
_NEW_WINDOW = re.compile(r"\s*(?:Opens in a new window or tab|La page s'ouvre dans une nouvelle fenêtre ou un nouvel"
                         r" onglet|Wird in neuem Fenster oder Tab geöffnet)\s*$", re.I)
_HIDDEN_RULE = re.compile(r"\.([\w-]+)\s*\{[^}]*display\s*:\s*none", re.I)
_COUNTS = tuple(re.compile(p, re.I) for p in (
    r"([\d][\d,.\s\u202f\xa0]*)\+?\s*(?:results|résultats|Ergebnisse|risultati|resultados)",
))
_NO_MATCHES = ("no exact matches found", "aucune correspondance exacte", "aucun objet ne correspond",
               "keine genauen treffer", "nessuna corrispondenza esatta", "no se han encontrado coincidencias exactas")
_CHALLENGE_TITLE = re.compile(r"<title>\s*Security Measure\s*</title>", re.I)


def has_class(name: str) -> str:
    """An XPath test for a whole class name."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


class EbayCard(Card):
    """Shared by every eBay layout: the item number from the first `/itm/` link, placeholders recognised."""

    link_query = ".//a[contains(@href, '/itm/')]/@href"
    title_query = ".//h3"
    price_query = ".//*[contains(@class, 'price')]"

    def id(self) -> str | None:
        ident = self.linked_id()
        return ident if ident not in _PLACEHOLDER_IDS else None

    def linked_id(self) -> str | None:
        return identify(self.absolute(self.link()) or "")

    def link(self) -> str | None:
        return first(self.xpath(self.link_query))

    def url(self) -> str | None:
        return self.absolute(self.link())

    def title(self) -> str | None:
        title = (text_of(first(self.xpath(self.title_query)))
                 or text_of(first(self.xpath(".//a[contains(@href, '/itm/')]"))))
        return _NEW_WINDOW.sub("", _NEW_LISTING.sub("", title)) or None

    def price_text(self) -> str | None:
        return text_of(first(self.xpath(self.price_query))) or None

    def placeholder(self) -> bool:
        """eBay's dummy first tile ("Shop on eBay", linking to item 123456): not a result."""
        return (self.title() or "").casefold() in _PLACEHOLDER_TITLES or self.linked_id() in _PLACEHOLDER_IDS

    def sponsored(self) -> bool | None:
        if self.xpath(".//*[contains(@class, 'sponsored') or contains(@class, 'SPONSORED')]"):
            return True
        labels = self.xpath(".//span[not(*)]/text() | .//div[not(*)]/text() | .//*/@aria-label")
        if any(is_sponsored_word(label) for label in labels):
            return True
        return self.layout.decode_label(self)


class ClassicCard(EbayCard):
    link_query = ".//a[contains(@class, 's-item__link')]/@href | .//a[contains(@href, '/itm/')]/@href"
    title_query = ".//*[contains(@class, 's-item__title')]"  # "New listing" inside it is cut by EbayCard.title
    price_query = ".//*[contains(@class, 's-item__price')]"


class CardCard(EbayCard):
    link_query = ".//a[contains(@class, 's-card__link')]/@href | .//a[contains(@href, '/itm/')]/@href"
    title_query = ".//*[contains(@class, 's-card__title')]"
    price_query = ".//*[contains(@class, 's-card__price')]"

    def id(self) -> str | None:
        listing = (self.element.get("data-listingid") or "").strip()
        return listing if listing.isdigit() and listing not in _PLACEHOLDER_IDS else super().id()


class EvoCard(EbayCard):
    title_query = ".//*[contains(@class, 'su-item-card__title')]"
    price_query = ".//*[contains(@class, 'su-item-card__price')]"


class StoreCard(EbayCard):
    link_query = ".//a[contains(@class, 'str-item-card__link')]/@href | .//a[contains(@href, '/itm/')]/@href"
    title_query = ".//*[contains(@class, 'str-item-card__property-title')]"
    price_query = ".//*[contains(@class, 'str-item-card__property-displayPrice')]"

    def id(self) -> str | None:
        found = super().id()
        if found:
            return found
        testid = (self.element.get("data-testid") or "").removeprefix("ig-")
        return testid if testid.isdigit() else None

    def sponsored(self) -> bool:
        return False  # a store lists its own seller's offers only; eBay places no ads in it


class EbayLayout(Layout):
    results_query = ""
    rewrite_marker = "//*[contains(@class, 'srp-river-answer--REWRITE_START')]"

    @classmethod
    def matches(cls, tree) -> bool:
        return bool(tree.xpath(cls.results_query))  # (EbayResults.layout counts instead)

    def elements(self) -> list:
        found = self.tree.xpath(self.results_query)
        marker = first(self.tree.xpath(self.rewrite_marker))
        if marker is not None:
            # results after "Results matching fewer words" are not answers to the query
            after = set(marker.xpath("following::*"))
            found = [element for element in found if element not in after]
        return found

    def cards(self) -> list[Card]:
        cards = [self.card_class(element, self) for element in self.elements()]
        return [card for card in cards if not card.placeholder()]

    def next_page(self) -> str | None:
        href = first(self.tree.xpath("//a[contains(@class, 'pagination__next')][not(@aria-disabled='true')]/@href"))
        return self.reader.absolute(href)

    def total_results(self) -> int | None:
        heading = first(self.tree.xpath("//h1[contains(@class, 'srp-controls__count-heading')]"))
        return count_in(text_of(heading), _COUNTS) if heading is not None else None

    def says_no_results(self) -> bool:
        if self.tree.xpath("//*[contains(@class, 'srp-save-null-search')]"):
            return True
        text = self.reader.visible_text.casefold()
        return any(phrase in text for phrase in _NO_MATCHES) or self.total_results() == 0

    def decode_label(self, card: Card) -> bool | None:
        """The card's obfuscated label (`s-item__sep`): drawn as an SVG picture (2025-26 cards, placed by
        spiders.results_labels) or spelt by letters the page's own stylesheet shows or hides (classic items)."""
        separators = card.element.xpath(".//*[contains(@class, 's-item__sep')]")
        if not separators:
            return False
        drawn = [label for label in map(drawn_label, separators[0].xpath("descendant-or-self::*/@style")) if label]
        if drawn:
            if any(label.shown and is_sponsored_word(label.text) for label in drawn):
                return True
            unsure = [label.why for label in drawn if label.shown is None]
            if unsure:
                card.undecided = f"the label picture cannot be placed ({unsure[0]})"
                return None
            return False
        letters = [span for span in separators[0].xpath(".//span[not(*)]") if span.get("aria-hidden") != "true"]
        if not letters:
            if separators[0].xpath(".//*[@aria-hidden='true'][normalize-space()]"):
                # only a decoy the page hides from readers, and no picture to say what is seen
                card.undecided = "the label is only a hidden decoy"
                return None
            return is_sponsored_word(text_of(separators[0])) if text_of(separators[0]) else False
        hidden = self.reader.hidden_classes
        if not hidden:
            card.undecided = "the label's letters are drawn but no stylesheet says which ones show"
            return None
        shown = "".join(span.text or "" for span in letters
                        if not set((span.get("class") or "").split()) & hidden
                        and "display:none" not in (span.get("style") or "").replace(" ", "").lower())
        return is_sponsored_word(shown)


class ClassicResults(EbayLayout):
    card_class = ClassicCard
    results_query = f"//li[{has_class('s-item')}]"


class CardResults(EbayLayout):
    card_class = CardCard
    results_query = f"//*[{has_class('s-card')}]"


class EvoResults(EbayLayout):
    card_class = EvoCard
    results_query = f"//*[{has_class('su-item-card')}]"


class StoreResults(EbayLayout):
    card_class = StoreCard
    results_query = f"//*[{has_class('str-item-card')}]"


class EbayResults(ResultsReader):
    marketplace = "ebay"
    layouts = (StoreResults, ClassicResults, CardResults, EvoResults)

    @property
    def decimal_separator(self) -> str | None:  # type: ignore[override]
        tld = site_tld(self.page.url)
        # a site Vigie does not know (ebay.com.sg): let the price text say how it writes money
        return decimal_separator(tld) if tld else None

    @cached_property
    def hidden_classes(self) -> frozenset[str]:
        return frozenset(name for css in self.tree.xpath("//style/text()") for name in _HIDDEN_RULE.findall(css))

    def layout(self) -> Layout | None:
        """The layout holding the most results: a carousel in another markup never stands for the results."""
        counts = [(len(self.tree.xpath(layout.results_query)), -index, layout)
                  for index, layout in enumerate(self.layouts)]
        count, _, best = max(counts, key=lambda row: row[:2])
        return best(self) if count else None

    def wall(self) -> str | None:
        if len(self.page.body) <= walls.SMALL_PAGE and _CHALLENGE_TITLE.search(self.page.text):
            return "eBay bot challenge (Security Measure)"
        return EbayPage(self.page).wall()

    def price(self, card: Card) -> tuple[Decimal | None, str | None]:
        amount, currency = super().price(card)
        if amount is None:
            return None, None
        # eBay's own prefixes ("AU $", "US $") first: price-parser alone reads them as plain dollars
        return amount, currency_in(card.price_text()) or currency or site_currency(site_tld(self.page.url))


@register("search", "ebay")
def read_search(page: PageInput) -> ResultsPage:
    return EbayResults(page, "search").read()


@register("shop", "ebay")
def read_shop(page: PageInput) -> ResultsPage:
    return EbayResults(page, "shop").read()
