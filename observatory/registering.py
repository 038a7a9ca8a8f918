"""Registering and removing listings from the web and the API, through vigie.registration."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from store.models import Account, Listing
from vigie.registration import DEFAULT_ACCOUNT, NewListing, RegistrationError, account_named, store_listing, validate

CSV_COLUMNS = ("url", "marketplace", "seller", "email", "label")


class NotAllowed(PermissionError):
    pass


def owner_account(session: Session, viewer: Viewer, requested: str | None, *, now: datetime, lang: str) -> Account:
    """A seller registers for their own account, whatever they ask; an admin picks one."""
    if viewer.role == "seller":
        account = session.get(Account, viewer.account_id)
        if account is None:
            raise NotAllowed("this seller user has no account")
        return account
    if viewer.role == "admin":
        return account_named(session, (requested or "").strip() or DEFAULT_ACCOUNT, now=now, lang=lang)
    raise NotAllowed("investigators read listings; sellers and admins register them")


def register(session: Session, viewer: Viewer, request: NewListing, *, account: str | None, allow_private: bool,
             now: datetime, lang: str) -> Listing:
    owner = owner_account(session, viewer, account, now=now, lang=lang)
    checked = validate(request, allow_private=allow_private)
    return store_listing(session, checked, account=owner, now=now)


def register_csv(session: Session, viewer: Viewer, text: str, *, account: str | None, allow_private: bool,
                 now: datetime, lang: str) -> tuple[list[Listing], list[str]]:
    """Good rows are kept, bad rows reported by line (as `vigie import`). The caller commits."""
    rows = list(csv.reader(io.StringIO(text)))
    if rows and rows[0] and rows[0][0].strip().lower() == "url":
        header, body, first = [c.strip().lower() for c in rows[0]], rows[1:], 2
    else:
        header, body, first = list(CSV_COLUMNS), rows, 1
    added, problems = [], []
    for line, row in enumerate(body, start=first):
        if not any(cell.strip() for cell in row):
            continue
        fields = dict(zip(header, row))
        emails = tuple((fields.get("email") or "").replace(";", " ").split())
        request = NewListing(url=fields.get("url") or "", marketplace=fields.get("marketplace") or None,
                             seller=fields.get("seller") or None, emails=emails, label=fields.get("label") or None)
        try:
            if not request.url.strip():
                raise RegistrationError("url is empty")
            # validation and the duplicate check raise before anything is added: no savepoint needed
            added.append(register(session, viewer, request, account=account, allow_private=allow_private,
                                  now=now, lang=lang))
        except RegistrationError as exc:
            problems.append(f"line {line}: {exc}")
    return added, problems


def remove(listing: Listing, viewer: Viewer) -> None:
    if not viewer.manages_listings:
        raise NotAllowed("investigators cannot remove listings")
    listing.active = False
