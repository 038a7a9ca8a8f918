"""Reading fee grids out of HTML tables, in French and English.

A table is a fee grid when its header names a category column and at least one fee column
(commission / rate, fixed fee, minimum). Percentages come as "15 %", "15,5%" or "15.5 %"; amounts
through spiders.money ("0,50 €"); "applicable from" dates in either language become a `date`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Iterable

import lxml.html

from detector.fees import FeeRate
from spiders import money

# (column, words any of which in a header names it); the first match wins, so "Frais de vente
# minimum" is a minimum before it is a fee, and "Pourcentage des frais de vente" is a rate.
HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("minimum", ("minimum", "minimal", "min.")),
    ("rate", ("commission", "pourcentage", "percentage", "taux", "rate", "referral fee")),
    ("fixed", ("frais fixe", "fixed", "par article", "per item", "per-item")),
    ("category", ("categorie", "category", "rayon", "univers", "type de produit", "product type")),
)
_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
_NOTHING = re.compile(r"^\s*(?:-|—|–|n/?a|aucun[es]?|none|sans|néant|neant)?\s*$", re.I)

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_MONTH = "|".join(MONTHS)
# the words that introduce the date a grid applies from (accents already stripped)
_TRIGGER = (r"(?:a partir du|a compter du|des le|en vigueur le|applicables? le|effective(?: from| on| as of)?"
            r"|applies from|applicable from|starting(?: on| from)?|as of|from)")
_DATE_FORMS = (
    re.compile(_TRIGGER + r"\s+(?P<d>\d{1,2})(?:er|st|nd|rd|th)?\s+(?P<m>" + _MONTH + r")\s+(?P<y>\d{4})"),
    re.compile(_TRIGGER + r"\s+(?P<m>" + _MONTH + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"),
    re.compile(_TRIGGER + r"\s+(?P<d>\d{1,2})[/.](?P<mn>\d{1,2})[/.](?P<y>\d{4})"),
    re.compile(_TRIGGER + r"\s+(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})"),
)


@dataclass(frozen=True)
class Grid:
    rates: tuple[FeeRate, ...]
    currency: str | None


def plain_words(text: str) -> str:
    """Lower case, accents stripped, spaces collapsed: "Catégorie " → "categorie"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("\xa0", " ").split()).casefold()


def cell_text(cell: lxml.html.HtmlElement) -> str:
    return " ".join(cell.text_content().split())


def column_of(header: str, words: tuple[tuple[str, tuple[str, ...]], ...] = HEADER_WORDS) -> str | None:
    text = plain_words(header)
    return next((column for column, names in words if any(name in text for name in names)), None)


def percent(text: str) -> Decimal | None:
    """The first percentage in the text: "15,5 %" → 15.5; tiers ("15 % puis 8 %") keep the first."""
    match = _PERCENT.search(text.replace("\xa0", " ").replace("\u202f", " "))
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None


def amount(text: str, decimal_separator: str | None = ",") -> tuple[Decimal | None, str | None]:
    if _NOTHING.match(text):
        return None, None
    return money.parse(text, decimal_separator=decimal_separator)


def effective_date(text: str) -> date | None:
    """The first "applicable from" date stated in the text, or None."""
    words = plain_words(text)
    for form in _DATE_FORMS:
        match = form.search(words)
        if match is None:
            continue
        parts = match.groupdict()
        month = MONTHS[parts["m"]] if parts.get("m") else int(parts["mn"])
        try:
            return date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
    return None


def header_cells(table: lxml.html.HtmlElement) -> list[str]:
    rows = table.xpath("./thead/tr[1] | ./tr[1] | ./tbody/tr[1]")
    return [cell_text(c) for c in rows[0].xpath("./th|./td")] if rows else []


def body_rows(table: lxml.html.HtmlElement) -> list[list[str]]:
    rows = table.xpath("./tbody/tr | ./tr")
    if not table.xpath("./thead"):
        rows = rows[1:]  # the first row was the header
    return [[cell_text(c) for c in row.xpath("./th|./td")] for row in rows]


def read_table(
    table: lxml.html.HtmlElement,
    *,
    words: tuple[tuple[str, tuple[str, ...]], ...] = HEADER_WORDS,
    decimal_separator: str | None = ",",
) -> Grid | None:
    """The grid in one table, or None when its header is not a fee grid's."""
    columns = [column_of(h, words) for h in header_cells(table)]
    if "category" not in columns or not {"rate", "fixed", "minimum"} & set(columns):
        return None
    rates, currencies = [], []
    for cells in body_rows(table):
        values = dict(zip(columns, cells))
        category = values.get("category", "").strip()
        if not category:
            continue
        fixed, fixed_cur = amount(values.get("fixed", ""), decimal_separator)
        minimum, min_cur = amount(values.get("minimum", ""), decimal_separator)
        rate = percent(values.get("rate", ""))
        if rate is None and fixed is None and minimum is None:
            continue  # a sub-heading row, or a note spanning the table
        currencies += [c for c in (fixed_cur, min_cur) if c]
        rates.append(FeeRate(category, rate, fixed, minimum))
    if not rates:
        return None
    return Grid(tuple(rates), currencies[0] if currencies else None)


def read_tables(tables: Iterable[lxml.html.HtmlElement], **options) -> Grid | None:
    """Every fee grid on the page merged, in page order (a category seen twice keeps its first row)."""
    rates: dict[str, FeeRate] = {}
    currency = None
    for table in tables:
        grid = read_table(table, **options)
        if grid is None:
            continue
        currency = currency or grid.currency
        for rate in grid.rates:
            rates.setdefault(plain_words(rate.category), rate)
    return Grid(tuple(rates.values()), currency) if rates else None
