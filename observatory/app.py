"""The observatory web app: create_app(config, sessions) builds the FastAPI application."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from observatory import api, api_channels, channel_pages, docs, login, pages, shops, users_admin
from observatory.config import ObservatoryConfig
from observatory.deps import LoginRequired
from observatory.login_throttle import LoginThrottle
from observatory.request_guard import RequestGuard
from observatory.templating import environment
from observatory.transport import HSTS

# The UI runs no script from anywhere; stored pages get a stricter policy of their own (pages.stored_page).
UI_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


ROUTERS = (login.router, pages.router, users_admin.router, channel_pages.router, api.router, api_channels.router,
           shops.api, shops.pages)


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
    app.state.templates = Jinja2Templates(env=environment())
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
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            from fastapi.exception_handlers import http_exception_handler
            return await http_exception_handler(request, exc)
        return HTMLResponse(app.state.templates.get_template("error.html").render(
            status=exc.status_code, detail=exc.detail, viewer=None, csrf=""), status_code=exc.status_code,
            headers=getattr(exc, "headers", None))

    return app
