"""Logging in and out. The login form uses a double-submit cookie for CSRF (there is no session yet)."""
from __future__ import annotations

import math
import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from observatory.accounts import Viewer, authenticate, end_session, same_secret, start_session
from observatory.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, csrf_checked, db

router = APIRouter(include_in_schema=False)


def login_page(request: Request, *, error: str | None = None, status: int = 200, next_url: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    response = request.app.state.templates.TemplateResponse(
        request, "login.html", {"viewer": None, "csrf": token, "error": error, "next_url": _safe(next_url)},
        status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.config.secure_cookies)
    return response


def _safe(next_url: str) -> str:
    """Only local paths: a login link must not bounce the user to another site."""
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return login_page(request, next_url=next)


@router.post("/login")
def login(request: Request, email: str = Form(...), password: str = Form(...), csrf: str = Form(""),
          next_url: str = Form("/"), session: Session = Depends(db)) -> Response:
    if not same_secret(csrf, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "CSRF token missing or wrong: reload the login page")
    config, throttle = request.app.state.config, request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.refused_for(email, address, now=config.clock())
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        response = login_page(request, error=f"Too many failed logins: try again in {minutes} minute(s).",
                              status=429, next_url=next_url)
        response.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return response
    user = authenticate(session, email, password)
    if user is None:
        throttle.failed(email, address, now=config.clock())
        return login_page(request, error="Wrong email or password.", status=401, next_url=next_url)
    throttle.succeeded(email)
    token = start_session(session, user, now=config.clock(), lifetime=timedelta(hours=config.session_hours))
    session.commit()
    response = RedirectResponse(_safe(next_url), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=config.secure_cookies,
                        max_age=config.session_hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, _viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)) -> Response:
    end_session(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
