"""Amazon search (`/s?k=`) and storefront (`/s?me=<seller>`) pages: both are the same search results page.

Results are `div[data-component-type=s-search-result][data-asin]`. Paid placements carry the `AdHolder`
class, a "Sponsored"/"Sponsorisé"/"Gesponsert" label, or a `/sspa/` or `/gp/slredirect/` link; they keep
no organic position. Widgets (brand banners, "editorial recommendations") are not results and are not read.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from spiders import walls
from spiders.amazon_page import LOCALES, site_of
from spiders.page import PageInput
from spiders.results import ResultsPage, register
from spiders.results_page import Card, Layout, ResultsReader, count_in, first, is_sponsored_word, text_of

_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_ASIN_IN_PATH = re.compile(r"/(?:dp|gp/product|gp/aw/d)/([A-Z0-9]{10})(?:[/?]|$)", re.I)
# the accessible name Amazon gives a paid result's heading or image: "Sponsored Ad - Title"
_AD_NAME = re.compile(r"^\s*(?:Sponsored Ad|Annonce sponsoris[ée]e|Gesponserte Anzeige|Anuncio patrocinado"
                      r"|An[úu]ncio patrocinado|Annuncio sponsorizzato)\s*[-–—]", re.I)
_AD_LINK = re.compile(r"/sspa/|/gp/slredirect/|_sspa\b|sr=\d+-\d+-spons", re.I)
# "1-48 of over 2,000 results for", "1-16 sur plus de 2 000 résultats pour", "1-48 von über 1.000 Ergebnissen",
# "1-24 di oltre 3.000 risultati", "1-24 de más de 1.000 resultados", "12 results for"
_COUNTS = tuple(re.compile(p, re.I) for p in (
    r"\bof\s+(?:over\s+|more than\s+)?([\d,.\s\u202f\xa0]*\d)\s+results",
    r"\bsur\s+(?:plus\s+de\s+)?([\d\s\u202f\xa0.,]*\d)\s+r[ée]sultats",
    r"\bvon\s+(?:über\s+|mehr als\s+)?([\d.\s\u202f\xa0]*\d)\s+Ergebnisse",
    r"\bdi\s+(?:oltre\s+)?([\d.\s\u202f\xa0]*\d)\s+risultati",
    r"\bde\s+(?:más\s+de\s+)?([\d.\s\u202f\xa0]*\d)\s+resultados",
    r"^\s*([\d,.\s\u202f\xa0]*\d)\s+(?:results|résultats|Ergebnisse|risultati|resultados)\b",
))
_NO_RESULTS = ("no results for", "aucun résultat pour", "keine ergebnisse für", "nessun risultato per",
               "no hay resultados para", "geen resultaten voor")
_ERROR_PAGES = ("sorry! something went wrong", "désolé, un problème est survenu",
                "tut uns leid! ein fehler ist aufgetreten", "spiacenti! si è verificato un problema",
                "lo sentimos. se ha producido un error")


def asin_in(href: str | None) -> str | None:
    """The ASIN a result link points to, also through a sponsored redirect (`...&url=%2Fx%2Fdp%2FB0..`)."""
    if not href:
        return None
    parts = urlsplit(href)
    found = _ASIN_IN_PATH.search(unquote(parts.path))
    if found:
        return found.group(1).upper()
    for target in parse_qs(parts.query).get("url", []):
        found = _ASIN_IN_PATH.search(unquote(target))
        if found:
            return found.group(1).upper()
    return None


class SearchResultCard(Card):
    def id(self) -> str | None:
        asin = (self.element.get("data-asin") or "").strip().upper()
        if _ASIN.match(asin):
            return asin
        return asin_in(self.link())

    def title(self) -> str | None:
        heading = first(self.xpath(".//h2"))
        title = text_of(heading) or (first(self.xpath(".//img[contains(@class,'s-image')]/@alt")) or "")
        return _AD_NAME.sub("", title).strip() or None

    def price_text(self) -> str | None:
        # the first a-price that is not the struck-through list price (a-text-price)
        return first(self.xpath(".//span[contains(concat(' ', @class, ' '), ' a-price ')]"
                                "[not(contains(@class, 'a-text-price'))]/span[@class='a-offscreen']/text()"))

    def sponsored(self) -> bool:
        if "AdHolder" in (self.element.get("class") or "").split():
            return True
        if self.xpath(".//*[contains(@class, 's-sponsored-label') or contains(@class, 'puis-sponsored-label')]"):
            return True
        if any(_AD_LINK.search(href) for href in self.xpath(".//a/@href")):
            return True
        if any(_AD_NAME.match(name) for name in self.xpath(".//h2/@aria-label | .//img/@alt")):
            return True
        return any(is_sponsored_word(text) for text in self.xpath(".//span[not(*)]/text()"))

    def url(self) -> str | None:
        return self.absolute(self.link())

    def link(self) -> str | None:
        # the title link: around the h2 since 2024 (`<a><h2>`), inside it before; else a product or ad link
        return (first(self.xpath(".//h2//a/@href | .//a[.//h2]/@href"))
                or first(self.xpath(".//a[contains(@href, '/dp/')]/@href | .//a[contains(@href, '/sspa/')]/@href")))


class SearchGrid(Layout):
    """The search results page used since 2019 by search, storefront and browse pages alike."""

    card_class = SearchResultCard
    _RESULTS = "//div[@data-component-type='s-search-result']"

    @classmethod
    def matches(cls, tree) -> bool:
        return bool(tree.xpath(cls._RESULTS) or tree.xpath("//*[contains(@class, 's-main-slot')]")
                    or tree.xpath("//*[@data-component-type='s-result-info-bar']"))

    def elements(self) -> list:
        return self.tree.xpath(self._RESULTS)

    def next_page(self) -> str | None:
        href = first(self.tree.xpath(
            "//a[contains(@class, 's-pagination-next')][not(contains(@class, 's-pagination-disabled'))]/@href"
            " | //ul[contains(@class, 'a-pagination')]/li[contains(@class, 'a-last')]"
            "[not(contains(@class, 'a-disabled'))]/a/@href"))
        return self.reader.absolute(href)

    def total_results(self) -> int | None:
        bar = first(self.tree.xpath("//*[@data-component-type='s-result-info-bar']//h1"
                                    " | //*[@data-component-type='s-result-info-bar']"))
        return count_in(text_of(bar), _COUNTS) if bar is not None else None

    def says_no_results(self) -> bool:
        text = self.reader.visible_text.casefold()
        return any(phrase in text for phrase in _NO_RESULTS)

    def unsure(self) -> str | None:
        # "No results for X. Showing results for Y": the results answer a corrected query, not the one asked
        if self.says_no_results():
            return "the page says there are no results for the query and shows results for another one"
        return None


class AmazonResults(ResultsReader):
    marketplace = "amazon"
    layouts = (SearchGrid,)

    @property
    def decimal_separator(self) -> str | None:  # type: ignore[override]
        return LOCALES.get(site_of(self.page.url) or "", (None, None))[0]

    def wall(self) -> str | None:
        if self.tree.xpath("//form[contains(@action, 'validateCaptcha')]"):
            return "Amazon captcha"
        return walls.detect_wall(self.page.text, self.page.headers)

    def error_page(self) -> str | None:
        if self.tree.xpath("//img[contains(@alt, 'Dogs of Amazon')] | //a[contains(@href, 'ref=cs_503_link')]"):
            return "Amazon error page (Dogs of Amazon)"
        if len(self.page.body) <= walls.SMALL_PAGE:  # Amazon's error pages are small; results pages never are
            text = self.visible_text.casefold()
            if any(phrase in text for phrase in _ERROR_PAGES):
                return "Amazon error page"
        return None


@register("search", "amazon")
def read_search(page: PageInput) -> ResultsPage:
    return AmazonResults(page, "search").read()


@register("shop", "amazon")
def read_shop(page: PageInput) -> ResultsPage:
    return AmazonResults(page, "shop").read()
