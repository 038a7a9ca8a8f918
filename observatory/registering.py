"""Registering and removing listings from the web and the API, through vigie.registration."""
from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from store.models import Account, Listing
from vigie.listing_csv import read_listings
from vigie.registration import DEFAULT_ACCOUNT, NewListing, RegistrationError, account_named, store_listing, validate


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


def register_csv(session: Session, viewer: Viewer, data: bytes, *, account: str | None, allow_private: bool,
                 now: datetime, lang: str) -> tuple[list[Listing], list[str]]:
    """Good rows are kept, bad rows reported by line (as `vigie import`); a file that cannot be read as
    listings raises vigie.listing_csv.CsvFileError before anything is added. The caller commits."""
    added, problems = [], []
    for line, row in list(read_listings(io.BytesIO(data))):  # read whole first: at most limits.CSV_UPLOAD_BYTES
        try:
            if isinstance(row, str):
                raise RegistrationError(row)
            # validation and the duplicate check raise before anything is added: no savepoint needed
            added.append(register(session, viewer, row, account=account, allow_private=allow_private,
                                  now=now, lang=lang))
        except RegistrationError as exc:
            problems.append(f"line {line}: {exc}")
    return added, problems


def remove(listing: Listing, viewer: Viewer) -> None:
    if not viewer.manages_listings:
        raise NotAllowed("investigators cannot remove listings")
    listing.active = False
