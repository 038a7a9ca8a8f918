"""The sandbox marketplace as a raw ASGI application.

    GET /p/{id}        a product page, served as the product's state says (see catalog.State)
    GET /fees/{id}     a seller fee page (sandbox.fees)
    GET /shop/{seller} a seller's storefront, paginated (sandbox.storefront)
    GET /api/p/{id}    the data a js_rendered page fetches after load
    GET /search?q=     search results, paginated (sandbox.search; a page with prices that is not a product page)
    GET /              home page
    GET /robots.txt    allow all
    /_control/...      the JSON control API (sandbox.control)

Rendered pages are cached against the product value itself, so a change through the catalog is
served on the next request and an unchanged product costs a dictionary lookup.
"""
from __future__ import annotations

import asyncio
import functools
import itertools
from typing import Any
from urllib.parse import parse_qs, quote_plus

from sandbox.catalog import Catalog, State
from sandbox.control import PREFIX as CONTROL_PREFIX, ControlApi
from sandbox.fees import FeeBook, FeeRenderer, serve_page as fee_page
from sandbox.http import JSON, TEXT, BodyTooLarge, Receive, Response, Send, header, read_body, send_response
from sandbox.render import Renderer
from sandbox.search import PATH as SEARCH_PATH, Search
from sandbox.storefront import PREFIX as SHOP_PREFIX, Storefronts

ROBOTS = b"User-agent: *\nAllow: /\n"
RETRY_AFTER_SECONDS = 60
FEATURED = 8


class SandboxApp:
    def __init__(self, catalog: Catalog, *, renderer: Renderer | None = None, cache_size: int = 8192,
                 fees: FeeBook | None = None):
        self.catalog = catalog
        self.renderer = renderer or Renderer()
        self.fees = fees if fees is not None else FeeBook()
        self._fee_renderer = FeeRenderer()
        self.storefronts = Storefronts(catalog, self.renderer)
        self.search = Search(catalog, self.renderer)
        self.control = ControlApi(catalog, self.fees, self.storefronts, self.search)
        cache = functools.lru_cache(maxsize=cache_size)
        self._product_page = cache(self.renderer.product_page)
        self._js_shell = cache(self.renderer.js_shell)
        self._hydration = cache(self.renderer.hydration)
        self._soft_404 = cache(self.renderer.soft_404)
        self._errors = {
            404: self.renderer.error_page(404, "Page introuvable", "La page demandée n'existe pas."),
            410: self.renderer.error_page(410, "Produit supprimé", "Ce produit a été retiré de la vente."),
            429: self.renderer.error_page(429, "Trop de requêtes", "Veuillez réessayer dans quelques instants."),
            503: self.renderer.error_page(503, "Service indisponible", "Le site est momentanément indisponible."),
            405: self.renderer.error_page(405, "Méthode non autorisée", "Cette page ne se lit qu'en GET."),
        }

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the sandbox serves HTTP only, not {scope['type']}")
        method, path = scope["method"], scope["path"]
        if path.startswith(CONTROL_PREFIX):
            try:
                body = await read_body(receive)
            except BodyTooLarge:
                response = Response.error(413, "body too large")
            else:
                response = self.control.handle(method, path, body)
        elif method not in ("GET", "HEAD"):
            response = self._error(405, (("allow", "GET, HEAD"),))
        else:
            response = await self.page(path, scope)
        await send_response(send, response, head=method == "HEAD")

    async def page(self, path: str, scope: dict[str, Any]) -> Response:
        if path.startswith("/p/"):
            return await self.product(path[3:], scope)
        if path.startswith("/fees/"):
            return fee_page(self.fees, self._fee_renderer, path[6:]) or self._error(404)
        if path.startswith(SHOP_PREFIX):
            host = (header(scope, b"host") or "localhost").rsplit(":", 1)[0]
            return self.storefronts.page(path, parse_qs(scope.get("query_string", b"").decode("latin-1")), host)
        if path.startswith("/api/p/"):
            return self.api_product(path[7:])
        if path == "/":
            listed = (p for p in self.catalog.all() if p.state == State.LISTED)
            return Response(200, self.renderer.home(itertools.islice(listed, FEATURED)))
        if path == SEARCH_PATH:
            host = (header(scope, b"host") or "localhost").rsplit(":", 1)[0]
            return self.search.page(parse_qs(scope.get("query_string", b"").decode("latin-1")), host)
        if path == "/robots.txt":
            return Response(200, ROBOTS, TEXT)
        return self._error(404)

    async def product(self, product_id: str, scope: dict[str, Any]) -> Response:
        product = self.catalog.get(product_id)
        if product is None:
            return self._error(404)
        state = product.state
        if state in (State.LISTED, State.OUT_OF_STOCK, State.OFFER_REMOVED):
            return Response(200, self._product_page(product))
        if state == State.SLOW:
            await asyncio.sleep(product.delay)
            return Response(200, self._product_page(product))
        if state == State.JS_RENDERED:
            return Response(200, self._js_shell(product))
        if state == State.NOT_FOUND:
            return self._error(404)
        if state == State.GONE_410:
            return self._error(410)
        if state == State.REDIRECT_SEARCH:
            return Response.redirect(f"/search?q={quote_plus(product.title)}")
        if state == State.REDIRECT_HOME:
            return Response.redirect("/")
        if state == State.SOFT_404:
            return Response(200, self._soft_404(product))
        if state == State.BOT_WALL:
            host = (header(scope, b"host") or "localhost").rsplit(":", 1)[0]
            return Response(200, self.renderer.bot_wall(product, host))
        if state == State.RATE_LIMITED:
            return self._error(429, (("retry-after", str(RETRY_AFTER_SECONDS)),))
        if state == State.SERVER_ERROR:
            return self._error(503, (("retry-after", str(RETRY_AFTER_SECONDS)),))
        raise AssertionError(f"unhandled state {state}")

    def api_product(self, product_id: str) -> Response:
        """Only a client-rendered product has an API answer; anything else is not there to fetch."""
        product = self.catalog.get(product_id)
        if product is None or product.state != State.JS_RENDERED:
            return Response.error(404, f"no product {product_id!r}")
        return Response(200, self._hydration(product), JSON)

    def _error(self, status: int, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        return Response(status, self._errors[status], headers=headers)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
