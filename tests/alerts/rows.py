"""Store rows for the alert tests, created directly through the models."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from store.db import session_scope
from store.models import Account, Event, Listing, Recipient

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    account_id: int
    listing_id: int


def make_world(
    sessions,
    *,
    account_emails: tuple[str, ...] = ("owner@example.com",),
    listing_emails: tuple[str, ...] = (),
    account_lang: str = "fr",
    label: str = "Chaise en chêne",
) -> World:
    with session_scope(sessions) as session:
        account = Account(name="Atelier", lang=account_lang, created_at=T0)
        session.add(account)
        session.flush()
        by_email = {}
        for address in dict.fromkeys(account_emails + listing_emails):
            recipient = Recipient(account_id=account.id, email=address)
            session.add(recipient)
            by_email[address] = recipient
        listing = Listing(
            account=account,
            url="https://www.example.fr/produit/42?ref=a&b=1",
            canonical_url="https://www.example.fr/produit/42",
            marketplace="generic",
            seller="Atelier & Co",
            label=label,
            created_at=T0,
            next_check_at=T0,
        )
        listing.recipients = [by_email[address] for address in listing_emails]
        session.add(listing)
        session.flush()
        return World(account.id, listing.id)


def add_event(sessions, listing_id: int, kind: str = "delisted", **fields) -> int:
    detected_at = fields.pop("detected_at", T0)
    values = {"before": "listed", "after": "gone", "details": {"confirmations": "2"}} | fields
    with session_scope(sessions) as session:
        event = Event(listing_id=listing_id, kind=kind, detected_at=detected_at, **values)
        session.add(event)
        session.flush()
        return event.id
