"""The observatory web app: create_app(config, sessions) builds the FastAPI application."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from observatory import (account_page, api, api_channels, channel_pages, docs, login, pages, search_watch_pages,
                         search_watches, shops, users_admin)
from observatory.config import ObservatoryConfig
from observatory.deps import LoginRequired, reader_ui
from observatory.login_throttle import LoginThrottle
from observatory.request_guard import RequestGuard
from observatory.templating import environment
from observatory.transport import HSTS
from observatory.words import N_

# The UI runs one script of its own (/register.js, optional) and none from anywhere else; stored pages get a stricter policy of their own (pages.stored_page).
UI_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


ROUTERS = (login.router, pages.router, account_page.router, users_admin.router, channel_pages.router, api.router,
           api_channels.router, shops.api, shops.pages, search_watches.api, search_watch_pages.pages)


def is_api(request: Request) -> bool:
    """API routes answer JSON errors; every other route answers a page."""
    return request.url.path.startswith(("/api/", "/openapi"))


def reader_language(request: Request) -> dict:
    """Every page renders with `ui`, the reader's language (observatory.templating)."""
    return {"ui": reader_ui(request)}


def allowed_methods(routes: list[BaseRoute], scope) -> str:
    """Every method some route takes at this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in routes:
        if getattr(route, "methods", None) and route.matches(scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


def create_app(config: ObservatoryConfig, sessions: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="Vigie observatory", version="1",
                  description="Listings, events, snapshots and evidence bundles of the Vigie delisting detector.",
                  docs_url=None, redoc_url=None)  # FastAPI's pages load from a CDN: docs.mount serves ours
    app.state.config = config
    app.state.sessions = sessions
    app.state.login_throttle = LoginThrottle()
    app.state.templates = Jinja2Templates(env=environment(), context_processors=[reader_language])
    for router in ROUTERS:
        app.include_router(router)
    docs.mount(app)
    routes = [route for router in ROUTERS for route in router.routes] + list(app.router.routes)
    app.add_middleware(RequestGuard)  # added first: inside security_headers, which marks its refusals too

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", UI_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if config.hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if "frame-ancestors 'self'" not in response.headers["Content-Security-Policy"]:
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 405:
            exc = StarletteHTTPException(405, exc.detail, headers={"Allow": allowed_methods(routes, request.scope)})
        if is_api(request):
            from fastapi.exception_handlers import http_exception_handler
            return await http_exception_handler(request, exc)
        return error_page(request, exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if is_api(request):
            from fastapi.exception_handlers import request_validation_exception_handler
            return await request_validation_exception_handler(request, exc)
        # /listings/abc: the same status as the API's (422), said as a page in the reader's language
        status, detail = 422, bad_input(exc, reader_ui(request))
        return error_page(request, status, detail)

    return app


WHAT = {"listing_id": N_("a listing number"), "seq": N_("a snapshot number"), "event_id": N_("an event number"),
        "user_id": N_("a user number"), "a": N_("a snapshot number"), "b": N_("a snapshot number"),
        "limit": N_("a number of rows"), "cursor": N_("a page position")}


def bad_input(exc: RequestValidationError, ui) -> str:
    """One line per refused value, for a person: “abc” is not a listing number."""
    lines = []
    for error in exc.errors():
        name = str(error.get("loc", ("", ""))[-1])
        what = ui.gettext(WHAT[name]) if name in WHAT else name
        value = error.get("input")
        lines.append(ui.gettext("“%(value)s” is not %(what)s", value=value, what=what) if isinstance(value, (str, int))
                     else ui.gettext("%(what)s is missing or malformed", what=what))
    return " ".join(lines)


def error_page(request: Request, status: int, detail: str, headers=None) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail, "viewer": viewer,
                                "csrf": viewer.csrf_token if viewer else ""}, status_code=status, headers=headers)
