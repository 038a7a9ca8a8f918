"""Managing observatory users from the web (admins only): list, add, deactivate and reactivate.

The same rules as `vigie user add` (observatory.accounts.add_user). A deactivated user's sessions
and API tokens stop working at once (both are checked against `User.active` on every request);
an admin cannot deactivate themselves, so the observatory always keeps one way in.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from observatory.accounts import AccountError, Viewer, add_user
from observatory.deps import csrf_checked, db, page_viewer
from observatory.i18n import LANGUAGE_NAMES, known
from observatory.ids import PathId
from store.models_observatory import ROLES, User
from vigie.registration import RegistrationError, account_named

router = APIRouter(include_in_schema=False)


def _admin(viewer: Viewer) -> Viewer:
    if viewer.role != "admin":
        raise HTTPException(403, "only admins manage users")
    return viewer


def _page(request: Request, session: Session, viewer: Viewer, *, status: int = 200, message: str | None = None,
          problem: str | None = None) -> Response:
    users = session.scalars(select(User).options(joinedload(User.account)).order_by(User.email))
    return request.app.state.templates.TemplateResponse(
        request, "users.html", {"viewer": viewer, "csrf": viewer.csrf_token, "users": list(users), "roles": ROLES,
                                "languages": LANGUAGE_NAMES, "message": message, "problem": problem}, status_code=status)


@router.get("/users")
def users_page(request: Request, viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)) -> Response:
    return _page(request, session, _admin(viewer))


@router.post("/users")
def create_user(request: Request, email: str = Form(...), role: str = Form(...), account: str = Form(""),
                password: str = Form(""), viewer: Viewer = Depends(csrf_checked),
                session: Session = Depends(db)) -> Response:
    _admin(viewer)
    config = request.app.state.config
    try:
        owner = account_named(session, account.strip(), now=config.clock(), lang=config.lang) \
            if role == "seller" and account.strip() else None
        created = add_user(session, email, role, now=config.clock(), account=owner, password=password or None)
    except (AccountError, RegistrationError) as exc:
        session.rollback()  # an account created for a refused user goes too
        return _page(request, session, viewer, status=400, problem=str(exc))
    session.commit()
    return _page(request, session, viewer, message=f"user {created.email} added ({created.role})")


@router.post("/users/{user_id}/active")
def set_active(user_id: PathId, active: bool = Form(...), viewer: Viewer = Depends(csrf_checked),
               session: Session = Depends(db)) -> Response:
    _admin(viewer)
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    if user.id == viewer.user_id and not active:
        raise HTTPException(400, "an admin cannot deactivate themselves")
    user.active = active
    session.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/language")
def set_language(user_id: PathId, lang: str = Form(""), alert_lang: str = Form(""),
                 viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)) -> Response:
    """An admin sets a user's observatory language ("" = their browser's) and, for a seller, their account's alert
    language (Account.lang)."""
    _admin(viewer)
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    if (lang and known(lang) is None) or (alert_lang and known(alert_lang) is None):
        raise HTTPException(400, f"the observatory speaks {', '.join(LANGUAGE_NAMES)}")
    user.lang = lang or None
    if alert_lang and user.account is not None:
        user.account.lang = alert_lang
    session.commit()
    return RedirectResponse("/users", status_code=303)
