"""Sellers' storefronts in the sandbox: every live product of a seller, a page at a time.

    GET   /shop/{slug}?page=N         the storefront of the seller whose name slugs to {slug}
    GET   /_control/shops             every storefront's settings
    PATCH /_control/shops/{slug}      {"page_size": 24, "closed": false, "wall_page": 3, "short_page": 2}

A product leaves its seller's storefront when its page is gone, its offer removed, or when the
control sets `"in_storefront": false` on it (its page stays: the "hidden offer" a storefront watch
must catch). `closed` answers 410 "boutique fermée"; `wall_page` answers that page with a bot wall and
`short_page` cuts that page to one offer (a layout change, or a truncated answer).
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, replace
from typing import Any

from sandbox.catalog import Catalog, Product, State
from sandbox.http import Response
from sandbox.render import Renderer, view_of

PREFIX = "/shop/"
HIDDEN_STATES = frozenset({State.NOT_FOUND, State.GONE_410, State.REDIRECT_SEARCH, State.REDIRECT_HOME,
                           State.SOFT_404, State.OFFER_REMOVED})
MAX_PAGE_SIZE = 500


def slug(seller: str) -> str:
    """"Atelier Dupont" → "atelier-dupont"."""
    ascii_name = unicodedata.normalize("NFKD", seller).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass(frozen=True)
class ShopSettings:
    page_size: int = 24
    closed: bool = False
    wall_page: int | None = None
    short_page: int | None = None


class Storefronts:
    def __init__(self, catalog: Catalog, renderer: Renderer):
        self.catalog = catalog
        self.renderer = renderer
        self._lock = threading.Lock()
        self._settings: dict[str, ShopSettings] = {}

    def settings(self, shop: str) -> ShopSettings:
        with self._lock:
            return self._settings.get(shop, ShopSettings())

    def offers(self, shop: str) -> list[Product]:
        return sorted((p for p in self.catalog.all() if slug(p.seller) == shop and p.in_storefront
                       and p.state not in HIDDEN_STATES), key=lambda p: p.id)

    def sellers(self) -> set[str]:
        return {slug(p.seller) for p in self.catalog.all()}

    def page(self, path: str, query: dict[str, list[str]], host: str) -> Response:
        shop = path[len(PREFIX):].strip("/")
        if shop not in self.sellers():
            return Response(404, self.renderer.error_page(404, "Boutique introuvable", "Ce vendeur n'existe pas."))
        settings = self.settings(shop)
        if settings.closed:
            return Response(410, self.renderer.error_page(410, "Boutique fermée",
                                                          "Ce vendeur ne vend plus sur Marché Sandbox."))
        try:
            number = max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            number = 1
        if settings.wall_page == number:
            wall = Product(id=f"shop-{shop}-{number}", title="x", price=0, seller="x")
            return Response(200, self.renderer.bot_wall(wall, host))
        offers = self.offers(shop)
        size = settings.page_size
        chunk = offers[(number - 1) * size:number * size]
        if settings.short_page == number:
            chunk = chunk[:1]
        pages = max(1, -(-len(offers) // size))
        seller = next((p.seller for p in self.catalog.all() if slug(p.seller) == shop), shop)
        body = self.renderer._render("_storefront.html.j2", seller=seller, shop=shop, number=number, pages=pages,
                                     total=len(offers), offers=[view_of(p) for p in chunk],
                                     next_url=f"{PREFIX}{shop}?page={number + 1}" if number < pages else None,
                                     first=(number - 1) * size + 1)
        return Response(200, body)

    def control(self, method: str, parts: list[str], body: bytes) -> Response:
        if not parts:
            if method != "GET":
                return Response.error(405, f"{method} not allowed on storefronts")
            with self._lock:
                return Response.json(200, {"shops": {k: asdict(v) for k, v in self._settings.items()}})
        if len(parts) != 1 or method != "PATCH":
            return Response.error(405, "PATCH /_control/shops/{slug} only")
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict) or set(data) - set(ShopSettings.__dataclass_fields__):
                raise ValueError(f"fields: {', '.join(ShopSettings.__dataclass_fields__)}")
            changed = replace(self.settings(parts[0]), **data)
            _check(changed)
        except (ValueError, TypeError) as exc:
            return Response.error(400, f"storefront settings: {exc}")
        with self._lock:
            self._settings[parts[0]] = changed
        return Response.json(200, asdict(changed))

    def set(self, shop: str, **changes: Any) -> ShopSettings:
        """The Python side of the control (the demo and tests)."""
        changed = replace(self.settings(shop), **changes)
        _check(changed)
        with self._lock:
            self._settings[shop] = changed
        return changed


def _check(settings: ShopSettings) -> None:
    if isinstance(settings.page_size, bool) or not isinstance(settings.page_size, int) \
            or not 1 <= settings.page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size: an integer from 1 to {MAX_PAGE_SIZE}")
    if not isinstance(settings.closed, bool):
        raise ValueError("closed: true or false")
    for name in ("wall_page", "short_page"):
        value = getattr(settings, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name}: a page number or null")
