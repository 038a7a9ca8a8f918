"""Registering listings: every way in (CLI, CSV, web form, API) goes through `register`."""
from __future__ import annotations

import socket
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.netguard import UnsafeURL, Unresolvable, check_public, parse_networks
from crawler.urls import BadURL, canonical_url
from said import N_, Refusal, Text
from spiders import registry
from store.models import Account, Listing, Recipient
from vigie import limits
from vigie.durations import parse_duration
from vigie.limits import shown

DEFAULT_EVERY = timedelta(hours=1)
DEFAULT_ACCOUNT = "default"
ACCOUNT_NAME_FIRST_REFUSED = "=+-@"


class RegistrationError(Refusal, ValueError):
    """One line saying what is wrong with what was given; nothing was stored. Its message is a said.Text: English
    for the CLI and the API, the reader's language on a page."""


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
             resolve: Callable = socket.getaddrinfo, allow_networks: str = "") -> Checked:
    """Everything that can be checked without the database, every size limit (vigie.limits) included."""
    url = request.url.strip()
    if len(url) > limits.URL_CHARS:
        raise RegistrationError(N_("the URL is %(chars)s characters long: at most %(limit)s"), chars=len(url),
                                limit=limits.URL_CHARS)
    try:
        canonical = canonical_url(url)
    except BadURL as exc:
        raise RegistrationError(exc.text) from None
    if request.marketplace:
        name = request.marketplace.strip().lower()
        if len(name) > limits.MARKETPLACE_CHARS:
            raise RegistrationError(N_("unknown marketplace %(name)s"), name=shown(name))
        try:
            adapter = registry.by_name(name)
        except KeyError:
            raise RegistrationError(N_("unknown marketplace %(name)s (known: %(known)s)"), name=repr(name),
                                    known=", ".join(registry.names())) from None
    else:
        adapter = registry.for_url(canonical)
    canonical = adapter.canonicalize(canonical)
    if len(canonical) > limits.URL_CHARS:  # IDNA host names grow when encoded
        raise RegistrationError(N_("the URL is %(chars)s characters long once canonical: at most %(limit)s"),
                                chars=len(canonical), limit=limits.URL_CHARS)
    reference = adapter.identify(canonical)
    if reference is not None and len(reference) > limits.MARKETPLACE_REF_CHARS:
        raise RegistrationError(N_("the product id in this URL is %(chars)s characters long: at most %(limit)s"),
                                chars=len(reference), limit=limits.MARKETPLACE_REF_CHARS)
    seller, label = one_line(N_("seller"), request.seller), one_line(N_("label"), request.label)
    emails = _emails(request.emails)
    every = _every(request.every, at_least=limits.EVERY_MIN_LOCAL if allow_private else limits.EVERY_MIN)
    notes: tuple[str, ...] = ()
    try:  # last: it may wait for DNS, which is pointless for a request refused anyway
        check_public(canonical, allow_private=allow_private, resolve=resolve,
                     allow_networks=parse_networks(allow_networks))
    except Unresolvable as exc:
        # DNS may be down or the machine offline: the crawler re-checks every fetch anyway.
        notes = (unresolved_note(exc),)
    except UnsafeURL as exc:
        raise RegistrationError(_with_hint(exc, allow_private)) from None
    return Checked(
        url=url,
        canonical=canonical,
        marketplace=adapter.name,
        marketplace_ref=reference,
        seller=seller,
        emails=emails,
        label=label,
        every=every,
        browser=request.browser,
        kind=request.kind,
        notes=notes,
    )


LOCAL_KINDS = (" loopback ", " private ", " link-local ")


def _with_hint(refusal: UnsafeURL, allow_private: bool) -> Text:
    """A loopback or private target refused while testing locally names the setting that allows it."""
    if allow_private or not any(kind in str(refusal) for kind in LOCAL_KINDS):
        return refusal.text
    return Text(N_("%(refusal)s (VIGIE_ALLOW_PRIVATE_HOSTS=1 allows it, for local use and tests only)"),
                refusal=refusal.text)


def unresolved_note(refusal: Unresolvable) -> Text:
    """A host without an address now is registered all the same (DNS may be down), with this warning."""
    return Text(N_("warning: %(reason)s; it will be checked again before each fetch"), reason=refusal.reason)


def one_line(name: str, value: str | None) -> str | None:
    """A seller, label or account name: stripped, at most limits.TEXT_CHARS, no control characters
    (a NUL is refused by PostgreSQL; a line break has no place in an alert subject or a table cell)."""
    text = (value or "").strip()
    if len(text) > limits.TEXT_CHARS:
        raise RegistrationError(N_("%(name)s is %(chars)s characters long: at most %(limit)s"), name=Text(name),
                                chars=len(text), limit=limits.TEXT_CHARS)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise RegistrationError(N_("%(name)s %(text)s contains control characters: it must be one line of text"),
                                name=Text(name), text=shown(text))
    return text or None


def _emails(raw: tuple[str, ...]) -> tuple[str, ...]:
    given = tuple(dict.fromkeys(e.strip() for e in raw if e.strip()))
    if len(given) > limits.RECIPIENTS:  # counted before validating: 20,000 addresses are refused at once
        raise RegistrationError(N_("%(count)s email addresses: at most %(limit)s per listing"), count=len(given),
                                limit=limits.RECIPIENTS)
    return tuple(dict.fromkeys(_email(e) for e in given))


def _every(raw: str | None, *, at_least: timedelta) -> timedelta:
    if not raw:
        return DEFAULT_EVERY
    try:
        every = parse_duration(raw, at_most=limits.EVERY_MAX)
    except ValueError as exc:
        raise RegistrationError(N_("--every: %(why)s"), why=exc) from None
    if every < at_least:
        raise RegistrationError(N_("--every %(every)s is too often: the minimum is %(minimum)s"), every=shown(raw),
                                minimum=at_least)
    return every


def _email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise RegistrationError(N_("invalid email %(email)s: %(why)s"), email=shown(raw.strip()), why=exc) from None


def account_name(raw: str) -> str:
    """The name stored for an account: NFC, so one name has one spelling; printable, so what a table or
    a subject line shows is the whole name; not starting with = + - @, which a spreadsheet opening an
    export runs as a formula."""
    name = one_line(N_("account name"), normal_account_name(raw))
    if name is None:
        raise RegistrationError(N_("the account name is empty"))
    if not name.isprintable():
        raise RegistrationError(N_("account name %(name)s contains invisible characters: use printable text"),
                                name=shown(name))
    if name[0] in ACCOUNT_NAME_FIRST_REFUSED:
        raise RegistrationError(N_("account name %(name)s starts with %(first)s: start with a letter or digit"),
                                name=shown(name), first=repr(name[0]))
    return name


def normal_account_name(raw: str | None) -> str:
    """An account name as typed, in the one spelling it is stored and looked up by: NFC, stripped
    (`cafe\u0301 ` is `café`)."""
    return unicodedata.normalize("NFC", raw or "").strip()


def find_account(session: Session, name: str | None) -> Account | None:
    """The account called `name` in any spelling normal_account_name folds together; None if there is none."""
    return session.scalar(select(Account).where(Account.name == normal_account_name(name)))


def account_named(session: Session, name: str, *, now: datetime, lang: str = "fr") -> Account:
    """The account called `name` (stripped), created if new; RegistrationError for a name no account can have."""
    name = account_name(name)
    account = find_account(session, name)
    if account is None:
        account = Account(name=name, lang=lang, created_at=now)
        session.add(account)
        session.flush()
    return account


def resolving_once(resolve: Callable = socket.getaddrinfo) -> Callable:
    """`resolve` asked once per host and port (its failure too): an import of 300 rows on one marketplace makes
    one DNS query, not 300. For one import: a long-lived cache would keep answers past their time."""
    answers: dict[tuple, tuple] = {}

    def resolved(host, port, *args):
        if (host, port) not in answers:
            try:
                answers[host, port] = (resolve(host, port, *args), None)
            except (OSError, UnicodeError) as exc:
                answers[host, port] = (None, exc)
        found, error = answers[host, port]
        if error is not None:
            raise error
        return found
    return resolved


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
        raise RegistrationError(N_("already registered as listing %(id)s: %(url)s"), id=str(duplicate.id),
                                url=duplicate.canonical_url)
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
