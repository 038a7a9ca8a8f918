"""Request plumbing shared by the pages and the API: database session, who is asking, CSRF."""
from __future__ import annotations

from typing import Iterator

from fastapi import Depends, Form, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from observatory.accounts import Viewer, same_secret, session_viewer, token_viewer
from observatory.config import ObservatoryConfig
from observatory.i18n import Ui, negotiate, ui_for

SESSION_COOKIE = "vigie_session"
LOGIN_CSRF_COOKIE = "vigie_login_csrf"
# declares the bearer scheme in /openapi.json; auto_error=False: api_viewer says what is missing itself
BEARER = HTTPBearer(auto_error=False, description="an API token from `vigie user token EMAIL`")


class LoginRequired(Exception):
    """A page needs a logged-in user; answered with a redirect to the login page."""


def db(request: Request) -> Iterator[Session]:
    """One session per request; routes that write commit explicitly."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def config(request: Request) -> ObservatoryConfig:
    return request.app.state.config


def optional_viewer(request: Request, session: Session = Depends(db)) -> Viewer | None:
    viewer = session_viewer(session, request.cookies.get(SESSION_COOKIE), now=request.app.state.config.clock())
    request.state.viewer = viewer  # the pages' language and the error page's header (observatory.app)
    return viewer


def reader_ui(request: Request) -> Ui:
    """The language this request is answered in: the user's chosen one, else what the browser asks for."""
    viewer = getattr(request.state, "viewer", None)
    lang = (viewer.lang if viewer else None) or negotiate(request.headers.get("accept-language"))
    return ui_for(request.app.state.templates.env.globals["catalogues"], lang)


def page_viewer(viewer: Viewer | None = Depends(optional_viewer)) -> Viewer:
    if viewer is None:
        raise LoginRequired()
    return viewer


def csrf_checked(csrf: str = Form(""), viewer: Viewer = Depends(page_viewer)) -> Viewer:
    """Every form POST carries the session's CSRF token; a forged cross-site form does not have it."""
    if not same_secret(csrf, viewer.csrf_token):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")
    return viewer


def api_viewer(request: Request, session: Session = Depends(db),
               bearer: HTTPAuthorizationCredentials | None = Security(BEARER)) -> Viewer:
    """Bearer token; a browser session is accepted for reads only (writes through a cookie would need CSRF)."""
    if bearer is not None:
        viewer = token_viewer(session, bearer.credentials.strip())
        if viewer is None:
            raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
        return viewer
    if request.method in ("GET", "HEAD"):
        viewer = session_viewer(session, request.cookies.get(SESSION_COOKIE), now=request.app.state.config.clock())
        if viewer is not None:
            return viewer
    raise HTTPException(401, "authentication required: Authorization: Bearer <token>",
                        headers={"WWW-Authenticate": "Bearer"})
