"""Seller fee pages for the sandbox, in the style of marketplaces' seller help pages.

    GET   /fees/{id}             the page, in its markup ("generic" or "amazon") and language
    PUT   /_control/fees/{id}    create or replace: {"title", "markup", "lang", "currency",
                                 "effective_from": "2027-01-01" | null,
                                 "lines": [{"category", "rate": "15", "fixed": "0.50", "minimum": "0.30"}]}
    PATCH /_control/fees/{id}    change some of it, e.g. {"rates": {"High-Tech": {"rate": "9"}}}
    GET   /_control/fees[/{id}]

Rates are percents as strings ("15.5" is 15.5 %), amounts strings in the page currency.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sandbox.http import Response
from sandbox.render import en_money, fr_money

MARKUPS = ("generic", "amazon")
LANGS = ("fr", "en")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


class InvalidFeePage(ValueError):
    pass


@dataclass(frozen=True)
class FeeLine:
    category: str
    rate: Decimal | None = None
    fixed: Decimal | None = None
    minimum: Decimal | None = None

    @classmethod
    def from_json(cls, data: Any) -> FeeLine:
        if not isinstance(data, dict) or not str(data.get("category", "")).strip():
            raise InvalidFeePage("each line needs a category")
        unknown = set(data) - {"category", "rate", "fixed", "minimum"}
        if unknown:
            raise InvalidFeePage(f"unknown line field(s): {', '.join(sorted(unknown))}")
        return cls(str(data["category"]).strip(), *(_amount(data.get(k), k) for k in ("rate", "fixed", "minimum")))

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, **{k: _text(getattr(self, k)) for k in ("rate", "fixed", "minimum")}}


@dataclass(frozen=True)
class FeePage:
    id: str
    lines: tuple[FeeLine, ...]
    title: str = "Frais de vente"
    markup: str = "generic"
    lang: str = "fr"
    currency: str = "EUR"
    effective_from: date | None = None

    @classmethod
    def from_json(cls, page_id: str, data: Any) -> FeePage:
        if not isinstance(data, dict):
            raise InvalidFeePage("body: expected a JSON object")
        return cls(page_id, ()).patched({"lines": [], **data})

    def patched(self, data: Any) -> FeePage:
        if not isinstance(data, dict):
            raise InvalidFeePage("body: expected a JSON object")
        unknown = set(data) - {"lines", "rates", "title", "markup", "lang", "currency", "effective_from"}
        if unknown:
            raise InvalidFeePage(f"unknown field(s): {', '.join(sorted(unknown))}")
        page = self
        if "lines" in data:
            page = replace(page, lines=tuple(FeeLine.from_json(line) for line in data["lines"]))
        for category, change in (data.get("rates") or {}).items():
            page = page.with_rate(category, change)
        for key in ("title", "currency"):
            if key in data:
                page = replace(page, **{key: str(data[key])})
        if "markup" in data:
            page = replace(page, markup=_choice(data["markup"], MARKUPS, "markup"))
        if "lang" in data:
            page = replace(page, lang=_choice(data["lang"], LANGS, "lang"))
        if "effective_from" in data:
            raw = data["effective_from"]
            try:
                page = replace(page, effective_from=date.fromisoformat(raw) if raw else None)
            except (TypeError, ValueError):
                raise InvalidFeePage(f"effective_from: not an ISO date: {raw!r}") from None
        return page

    def with_rate(self, category: str, change: Any) -> FeePage:
        if not isinstance(change, dict):
            raise InvalidFeePage(f"rates.{category}: expected an object")
        if change.get("remove"):
            return replace(self, lines=tuple(line for line in self.lines if line.category != category))
        current = next((line for line in self.lines if line.category == category), None)
        merged = FeeLine.from_json({**(current.to_json() if current else {"category": category}), **change})
        if current is None:
            return replace(self, lines=self.lines + (merged,))
        return replace(self, lines=tuple(merged if line is current else line for line in self.lines))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "markup": self.markup, "lang": self.lang,
                "currency": self.currency,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None,
                "lines": [line.to_json() for line in self.lines]}


class FeeBook:
    """The sandbox's fee pages; thread-safe, since tests change them while the server reads them."""

    def __init__(self, pages: tuple[FeePage, ...] = ()):
        self._lock = threading.Lock()
        self._pages = {page.id: page for page in pages}

    def put(self, page: FeePage) -> FeePage:
        with self._lock:
            self._pages[page.id] = page
        return page

    def get(self, page_id: str) -> FeePage | None:
        with self._lock:
            return self._pages.get(page_id)

    def patch(self, page_id: str, data: Any) -> FeePage:
        with self._lock:
            page = self._pages[page_id].patched(data)
            self._pages[page_id] = page
            return page

    def all(self) -> list[FeePage]:
        with self._lock:
            return list(self._pages.values())


class FeeRenderer:
    def __init__(self) -> None:
        self.env = Environment(loader=PackageLoader("sandbox"), autoescape=select_autoescape(["html", "html.j2"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(money=money, rate=rate, long_date=long_date)

    def page(self, page: FeePage) -> bytes:
        return self.env.get_template(f"fees_{page.markup}.html.j2").render(page=page).encode("utf-8")


def money(amount: Decimal | None, page: FeePage) -> str:
    if amount is None:
        return "—"
    return fr_money(amount, page.currency) if page.lang == "fr" else en_money(amount, page.currency)


def rate(value: Decimal | None, page: FeePage) -> str:
    """15.5 → "15,5 %" (French) or "15.5%" (English)."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return f"{text.replace('.', ',')} %" if page.lang == "fr" else f"{text}%"


def long_date(day: date, lang: str) -> str:
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def serve_page(book: FeeBook, renderer: FeeRenderer, page_id: str) -> Response | None:
    """The page, or None when there is no such page (the app answers its own 404)."""
    page = book.get(page_id)
    return None if page is None else Response(200, renderer.page(page))


def control(book: FeeBook, method: str, parts: list[str], body: bytes) -> Response:
    """/_control/fees[/{id}]: parts are the path segments after "fees"."""
    try:
        if not parts:
            if method != "GET":
                return Response.error(405, f"{method} not allowed on fee pages")
            return Response.json(200, {"fees": [p.to_json() for p in book.all()]})
        page_id = parts[0]
        if len(parts) != 1 or not page_id:
            return Response.error(404, "no such fee control route")
        if method == "GET":
            page = book.get(page_id)
            return Response.error(404, f"no fee page {page_id!r}") if page is None else Response.json(200, page.to_json())
        if method == "PUT":
            existed = book.get(page_id) is not None
            return Response.json(200 if existed else 201, book.put(FeePage.from_json(page_id, _parse(body))).to_json())
        if method == "PATCH":
            if book.get(page_id) is None:
                return Response.error(404, f"no fee page {page_id!r}")
            return Response.json(200, book.patch(page_id, _parse(body)).to_json())
        return Response.error(405, f"{method} not allowed on a fee page")
    except InvalidFeePage as exc:
        return Response.error(400, str(exc))


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidFeePage(f"body: not valid JSON ({exc})") from None


def _amount(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidFeePage(f"{name}: not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidFeePage(f"{name}: must be a non-negative number: {value!r}")
    return amount


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidFeePage(f"{name}: one of {', '.join(allowed)}, not {value!r}")
    return value
