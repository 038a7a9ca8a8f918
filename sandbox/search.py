"""The sandbox's search results, a page at a time (issue 27: search watches read them).

    GET   /search?q=...&page=N        live products whose title has every word of q, or whose id is q
    GET   /_control/search            the settings
    PATCH /_control/search            {"page_size": 10, "wall_page": 2, "short_page": 1, "sponsored": ["p03"]}

A product leaves the results when its page is not live, or when the control sets `"in_search": false` on it
(its page stays: the "search suppressed" offer a search watch must catch). `sponsored` lists products shown
first, marked "Sponsorisé" (paid placements, not organic ranks). `wall_page` answers that page with a bot wall
and `short_page` cuts that page to one result (a truncated answer): both must count as no answer.
"""
from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sandbox.catalog import Catalog, Product, State
from sandbox.http import Response
from sandbox.render import Renderer, view_of

PATH = "/search"
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchSettings:
    page_size: int = 10
    wall_page: int | None = None
    short_page: int | None = None
    sponsored: list[str] = field(default_factory=list)


class Search:
    def __init__(self, catalog: Catalog, renderer: Renderer):
        self.catalog = catalog
        self.renderer = renderer
        self._lock = threading.Lock()
        self._settings = SearchSettings()

    @property
    def settings(self) -> SearchSettings:
        with self._lock:
            return self._settings

    def matches(self, query: str) -> list[Product]:
        words = query.casefold().split()
        if not words:
            return []
        return sorted((p for p in self.catalog.all() if p.state == State.LISTED and p.in_search
                       and (p.id.casefold() == query.casefold().strip()
                            or all(word in p.title.casefold() for word in words))), key=lambda p: p.id)

    def page(self, query: dict[str, list[str]], host: str) -> Response:
        q = query.get("q", [""])[0]
        try:
            number = max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            number = 1
        settings = self.settings
        if settings.wall_page == number:
            wall = Product(id=f"search-{number}", title="x", price=0, seller="x")
            return Response(200, self.renderer.bot_wall(wall, host))
        found = self.matches(q)
        sponsored = [p for p in found if p.id in settings.sponsored] if number == 1 else []
        size = settings.page_size
        chunk = found[(number - 1) * size:number * size]
        expected = len(chunk)
        if settings.short_page == number:
            chunk = chunk[:1]
        pages = max(1, -(-len(found) // size))
        following = f"{PATH}?{urlencode({'q': q, 'page': number + 1})}" if number < pages else None
        body = self.renderer._render("_search.html.j2", query=q, number=number, pages=pages, total=len(found),
                                     first=(number - 1) * size + 1, expected=expected,
                                     sponsored=[view_of(p) for p in sponsored],
                                     results=[view_of(p) for p in chunk], next_url=following)
        return Response(200, body)

    def control(self, method: str, body: bytes) -> Response:
        if method == "GET":
            return Response.json(200, asdict(self.settings))
        if method != "PATCH":
            return Response.error(405, "GET or PATCH /_control/search")
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict) or set(data) - set(SearchSettings.__dataclass_fields__):
                raise ValueError(f"fields: {', '.join(SearchSettings.__dataclass_fields__)}")
            changed = self.set(**data)
        except (ValueError, TypeError) as exc:
            return Response.error(400, f"search settings: {exc}")
        return Response.json(200, asdict(changed))

    def set(self, **changes: Any) -> SearchSettings:
        """The Python side of the control (the demo and tests)."""
        changed = replace(self.settings, **changes)
        _check(changed)
        with self._lock:
            self._settings = changed
        return changed


def _check(settings: SearchSettings) -> None:
    if isinstance(settings.page_size, bool) or not isinstance(settings.page_size, int) \
            or not 1 <= settings.page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size: an integer from 1 to {MAX_PAGE_SIZE}")
    for name in ("wall_page", "short_page"):
        value = getattr(settings, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name}: a page number or null")
    if not isinstance(settings.sponsored, list) or not all(isinstance(i, str) for i in settings.sponsored):
        raise ValueError("sponsored: a list of product ids")
