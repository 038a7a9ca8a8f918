"""The Account page: the account's alert channels, added, tested and removed from the browser.

A webhook's signing secret is in the one response that follows its creation (never cached, never
logged, never shown again); every form carries the session's CSRF token, as the other forms do.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts.channel_admin import MODES
from observatory import channels
from observatory.accounts import Viewer
from observatory.deps import csrf_checked, db, page_viewer, reader_ui
from observatory.i18n import LANGUAGE_NAMES
from observatory.ids import PathId
from observatory.paging import DEFAULT_SIZE, Cursor, first_url, next_url
from observatory.queries import BadCursor, decode_cursor, encode_cursor
from store.models import Account
from vigie.limits import TEXT_CHARS
from vigie.registration import RegistrationError

router = APIRouter(include_in_schema=False)


def _page(request: Request, session: Session, viewer: Viewer, *, status: int = 200, message: str | None = None,
          problem: str | None = None, secret: str | None = None, cursor: str | None = None,
          saved: bool = False) -> Response:
    try:
        after = decode_cursor(cursor, int)[0] if cursor else None
    except BadCursor as exc:
        raise HTTPException(422, str(exc)) from None
    rows = channels.summaries(session, viewer, after=after, limit=DEFAULT_SIZE + 1)
    more = encode_cursor(rows[DEFAULT_SIZE - 1]["id"]) if len(rows) > DEFAULT_SIZE else None
    response = request.app.state.templates.TemplateResponse(request, "account.html", {
        "viewer": viewer, "csrf": viewer.csrf_token, "channels": rows[:DEFAULT_SIZE], "modes": MODES,
        "message": message, "problem": problem, "secret": secret, "text_chars": TEXT_CHARS,
        "next_url": next_url(request, more), "first_url": first_url(request),
        # the language settings (observatory.account_page)
        "account": session.get(Account, viewer.account_id) if viewer.account_id else None,
        "languages": LANGUAGE_NAMES, "saved": saved}, status_code=status)
    if secret:
        response.headers["Cache-Control"] = "no-store"  # the secret must not outlive this one page
    return response


@router.get("/account")
def account_page(request: Request, cursor: Cursor = None, saved: str = "", viewer: Viewer = Depends(page_viewer),
                 session: Session = Depends(db)) -> Response:
    return _page(request, session, viewer, cursor=cursor, saved=saved == "1")


@router.post("/account/channels")
def add_channel(request: Request, url: str = Form(""), mode: str = Form(""), account: str = Form(""),
                personal: bool = Form(False), viewer: Viewer = Depends(csrf_checked),
                session: Session = Depends(db)) -> Response:
    try:
        row, secret = channels.add(session, viewer, url, mode=mode or None, account=account,
                                   config=request.app.state.config, personal=personal)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except (channels.ChannelError, RegistrationError) as exc:
        session.rollback()
        return _page(request, session, viewer, status=400, problem=reader_ui(request).said(exc))
    channel_id, shown = row.id, row.shown
    session.commit()
    return _page(request, session, viewer, status=201, message=f"channel {channel_id} added: {shown}", secret=secret)


def _channel(session: Session, viewer: Viewer, channel_id: int):
    row = channels.visible_channel(session, viewer, channel_id)
    if row is None:
        raise HTTPException(404, f"no channel {channel_id}")
    return row


@router.post("/account/channels/{channel_id}/test")
def test_channel(request: Request, channel_id: PathId, viewer: Viewer = Depends(csrf_checked),
                 session: Session = Depends(db)) -> Response:
    row = _channel(session, viewer, channel_id)
    try:
        where = channels.test(viewer, row, config=request.app.state.config)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except channels.SendFailed as exc:
        return _page(request, session, viewer, status=502, problem=f"channel {channel_id}: the test failed: {exc}")
    return _page(request, session, viewer, message=f"channel {channel_id}: test message accepted by {where}")


@router.post("/account/channels/{channel_id}/remove")
def remove_channel(channel_id: PathId, viewer: Viewer = Depends(csrf_checked),
                   session: Session = Depends(db)) -> Response:
    row = _channel(session, viewer, channel_id)
    try:
        channels.remove(session, viewer, row)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    session.commit()
    return RedirectResponse("/account", status_code=303)
