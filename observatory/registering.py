"""Registering and removing listings from the web and the API, through vigie.registration, with the URL policy
the caller gave the app (ObservatoryConfig: the same settings as the CLI's)."""
from __future__ import annotations

import io

from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from observatory.config import ObservatoryConfig
from said import N_, Text
from store.models import Account, Listing
from vigie import limits
from vigie.listing_csv import read_listings
from vigie.registration import (DEFAULT_ACCOUNT, Checked, NewListing, RegistrationError, account_named,
                                resolving_once, store_listing, validate)
from vigie.report_formats import detect
from vigie.report_import import Imported, Policy, import_report, site_for
from vigie.report_text import ReportFileError


class NotAllowed(PermissionError):
    pass


def owner_account(session: Session, viewer: Viewer, requested: str | None, *, config: ObservatoryConfig) -> Account:
    """A seller registers for their own account, whatever they ask; an admin picks one."""
    if viewer.role == "seller":
        account = session.get(Account, viewer.account_id)
        if account is None:
            raise NotAllowed("this seller user has no account")
        return account
    if viewer.role == "admin":
        return account_named(session, (requested or "").strip() or DEFAULT_ACCOUNT, now=config.clock(), lang=config.lang)
    raise NotAllowed("investigators read listings; sellers and admins register them")


def checked(request: NewListing, config: ObservatoryConfig, resolve=None) -> Checked:
    return validate(request, allow_private=config.allow_private_hosts, allow_networks=config.allow_networks,
                    resolve=resolve or config.resolve)


def register(session: Session, viewer: Viewer, request: NewListing, *, account: str | None,
             config: ObservatoryConfig) -> Listing:
    owner = owner_account(session, viewer, account, config=config)
    return store_listing(session, checked(request, config), account=owner, now=config.clock())


def register_csv(session: Session, viewer: Viewer, data: bytes, *, account: str | None,
                 config: ObservatoryConfig) -> tuple[int, list[str]]:
    """Good rows are kept, bad rows reported by line (as `vigie import`): how many were added, and the reports."""
    result = csv_import(session, viewer, data, account=account, config=config)
    return len(result.added), [Text(N_("line %(line)s: %(why)s"), line=str(line), why=why)
                               for line, why in sorted(result.refused)]


def csv_import(session: Session, viewer: Viewer, data: bytes, *, account: str | None,
               config: ObservatoryConfig) -> Imported:
    """A CSV of URLs imported. Every row is read and checked first (each host resolved once), outside any
    transaction; the good ones are then written and committed limits.CSV_BATCH at a time, so other writers wait
    for one batch at most. A file that cannot be read as listings raises vigie.listing_csv.CsvFileError before
    anything is added."""
    if not viewer.manages_listings:
        raise NotAllowed("investigators read listings; sellers and admins register them")
    resolve = resolving_once(config.resolve)
    good: list[tuple[int, Checked]] = []
    result = Imported(format="CSV of URLs", site=None)
    for line, row in list(read_listings(io.BytesIO(data))):  # read whole first: at most limits.CSV_UPLOAD_BYTES
        try:
            if isinstance(row, str):
                raise RegistrationError(row)
            good.append((line, checked(row, config, resolve)))
        except RegistrationError as exc:
            result.refused.append((line, exc.text))
    for start in range(0, len(good), limits.CSV_BATCH):
        owner = owner_account(session, viewer, account, config=config)
        for line, row in good[start:start + limits.CSV_BATCH]:
            try:  # the duplicate check raises before anything is added: no savepoint needed
                listing = store_listing(session, row, account=owner, now=config.clock())
                result.added.append({"line": line, "id": listing.id, "url": listing.canonical_url})
            except RegistrationError as exc:
                result.refused.append((line, exc.text))
        session.commit()
    return result


def file_import(session: Session, viewer: Viewer, data: bytes, *, account: str | None, site: str | None,
                sync: bool, config: ObservatoryConfig) -> Imported:
    """The web upload and the API's import: a marketplace listing report recognised from its header, else a CSV
    of URLs. ReportFileError / CsvFileError (one line) when the file cannot be imported at all."""
    if not viewer.manages_listings:
        raise NotAllowed("investigators read listings; sellers and admins register them")
    detected = detect(data)
    if detected is None:
        if site or sync:
            raise ReportFileError("a CSV of URLs, not a marketplace report: site and sync apply to reports")
        return csv_import(session, viewer, data, account=account, config=config)
    owner = owner_account(session, viewer, account, config=config)
    chosen, note = site_for(detected, owner, site)
    session.commit()
    policy = Policy(allow_private=config.allow_private_hosts, allow_networks=config.allow_networks,
                    resolve=config.resolve)
    result = import_report(session, detected, account=owner, site=chosen, sync=sync, policy=policy,
                           now=config.clock())
    if note:
        result.notes.insert(0, note)
    return result


def remove(listing: Listing, viewer: Viewer) -> None:
    if not viewer.manages_listings:
        raise NotAllowed("investigators cannot remove listings")
    listing.active = False
