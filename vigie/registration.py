"""Registering listings: every way in (CLI, CSV, web form, API) goes through `register`."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.netguard import UnsafeURL, Unresolvable, check_public
from crawler.urls import BadURL, canonical_url
from spiders import registry
from store.models import Account, Listing, Recipient
from vigie.durations import parse_duration

DEFAULT_EVERY = timedelta(hours=1)
MIN_EVERY = timedelta(minutes=5)
DEFAULT_ACCOUNT = "default"


class RegistrationError(ValueError):
    """One line saying what is wrong with what was given; nothing was stored."""


@dataclass(frozen=True)
class NewListing:
    url: str
    marketplace: str | None = None
    seller: str | None = None
    emails: tuple[str, ...] = ()
    label: str | None = None
    every: str | None = None
    browser: bool = False
    kind: str = "listing"


@dataclass(frozen=True)
class Checked:
    """A NewListing whose every field has been validated and normalised."""

    url: str
    canonical: str
    marketplace: str
    marketplace_ref: str | None
    seller: str | None
    emails: tuple[str, ...]
    label: str | None
    every: timedelta
    browser: bool
    kind: str = field(default="listing")
    notes: tuple[str, ...] = ()


def validate(request: NewListing, *, allow_private: bool,
             resolve: Callable = socket.getaddrinfo) -> Checked:
    """Everything that can be checked without the database."""
    url = request.url.strip()
    try:
        canonical = canonical_url(url)
    except BadURL as exc:
        raise RegistrationError(str(exc)) from None
    if request.marketplace:
        try:
            adapter = registry.by_name(request.marketplace.strip().lower())
        except KeyError as exc:
            raise RegistrationError(exc.args[0]) from None
    else:
        adapter = registry.for_url(canonical)
    canonical = adapter.canonicalize(canonical)
    notes: tuple[str, ...] = ()
    try:
        check_public(canonical, allow_private=allow_private, resolve=resolve)
    except Unresolvable as exc:
        # DNS may be down or the machine offline: the crawler re-checks every fetch anyway.
        notes = (f"warning: {str(exc).removeprefix('refused: ')}; it will be checked again before each fetch",)
    except UnsafeURL as exc:
        raise RegistrationError(str(exc)) from None
    emails = tuple(dict.fromkeys(_email(e) for e in request.emails if e.strip()))
    every = DEFAULT_EVERY
    if request.every:
        try:
            every = parse_duration(request.every)
        except ValueError as exc:
            raise RegistrationError(f"--every: {exc}") from None
        if every < MIN_EVERY:
            raise RegistrationError(f"--every {request.every} is too often: the minimum is 5m")
    return Checked(
        url=url,
        canonical=canonical,
        marketplace=adapter.name,
        marketplace_ref=adapter.identify(canonical),
        seller=(request.seller or "").strip() or None,
        emails=emails,
        label=(request.label or "").strip() or None,
        every=every,
        browser=request.browser,
        kind=request.kind,
        notes=notes,
    )


def _email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise RegistrationError(f"invalid email {raw.strip()!r}: {exc}") from None


def account_named(session: Session, name: str, *, now: datetime, lang: str = "fr") -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        account = Account(name=name, lang=lang, created_at=now)
        session.add(account)
        session.flush()
    return account


def store_listing(session: Session, checked: Checked, *, account: Account, now: datetime) -> Listing:
    """Adds the listing; refuses one the account already watches (same URL or same marketplace id)."""
    duplicate = session.scalar(
        select(Listing).where(Listing.account_id == account.id, Listing.canonical_url == checked.canonical))
    if duplicate is None and checked.marketplace_ref:
        duplicate = session.scalar(select(Listing).where(
            Listing.account_id == account.id, Listing.marketplace == checked.marketplace,
            Listing.marketplace_ref == checked.marketplace_ref))
    if duplicate is not None and not duplicate.active:
        return _reactivate(session, duplicate, checked, account=account, now=now)
    if duplicate is not None:
        raise RegistrationError(f"already registered as listing {duplicate.id}: {duplicate.canonical_url}")
    listing = Listing(
        account_id=account.id, kind=checked.kind, url=checked.url, canonical_url=checked.canonical,
        marketplace=checked.marketplace, marketplace_ref=checked.marketplace_ref, seller=checked.seller,
        label=checked.label, every_seconds=int(checked.every.total_seconds()), browser=checked.browser,
        active=True, detector_state={}, created_at=now, next_check_at=now,
    )
    listing.recipients = [_recipient(session, account, email) for email in checked.emails]
    session.add(listing)
    session.flush()
    return listing


def _reactivate(session: Session, listing: Listing, checked: Checked, *, account: Account, now: datetime) -> Listing:
    """A removed listing registered again keeps its history (and its evidence chain)."""
    listing.active = True
    listing.url, listing.seller, listing.label = checked.url, checked.seller, checked.label
    listing.every_seconds, listing.browser = int(checked.every.total_seconds()), checked.browser
    listing.next_check_at = now
    listing.recipients = [_recipient(session, account, email) for email in checked.emails]
    session.flush()
    return listing


def _recipient(session: Session, account: Account, email: str) -> Recipient:
    recipient = session.scalar(select(Recipient).where(Recipient.account_id == account.id, Recipient.email == email))
    if recipient is None:
        recipient = Recipient(account_id=account.id, email=email)
        session.add(recipient)
        session.flush()
    return recipient
