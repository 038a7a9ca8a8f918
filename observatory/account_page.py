"""The account page's language settings: the observatory's language for the user, and (for a seller) the
language of their account's alerts. The page itself (with the alert channels) is observatory.channel_pages."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from observatory.deps import csrf_checked, db
from observatory.i18n import LANGUAGE_NAMES, known
from store.models import Account
from store.models_observatory import User

router = APIRouter(include_in_schema=False)


def _language(value: str, *, optional: bool) -> str | None:
    """"fr" or "en"; "" is "my browser's" where that means something. 400 for anything else."""
    if optional and value == "":
        return None
    if known(value) is None:
        raise HTTPException(400, f"{value!r} is not a language of the observatory ({', '.join(LANGUAGE_NAMES)})")
    return value


@router.post("/account/language")
def set_my_language(lang: str = Form(""), viewer: Viewer = Depends(csrf_checked),
                    session: Session = Depends(db)) -> Response:
    session.get(User, viewer.user_id).lang = _language(lang, optional=True)
    session.commit()
    return RedirectResponse("/account?saved=1", status_code=303)


@router.post("/account/alert-language")
def set_alert_language(lang: str = Form(...), viewer: Viewer = Depends(csrf_checked),
                       session: Session = Depends(db)) -> Response:
    """The language of the emails the seller's account receives (Account.lang, which VIGIE_LANG only seeds)."""
    if viewer.role != "seller" or viewer.account_id is None:
        raise HTTPException(403, "only a seller sets their account's alert language here; admins use the users page")
    session.get(Account, viewer.account_id).lang = _language(lang, optional=False)
    session.commit()
    return RedirectResponse("/account?saved=1", status_code=303)
