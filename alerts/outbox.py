"""The outbox: one AlertDelivery row per (event, recipient), written in the caller's transaction.

Writing the row in the same transaction as the event is what makes an alert impossible to lose:
either both exist or neither does. Sending happens later (alerts.sender), from these rows only.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.channel_sender import enqueue_channels
from detector.model import EventKind
from store.models import Account, AlertDelivery, Event, Listing, Recipient
from store.models_channels import Channel, live_channels

# Kinds that concern the operator, not the seller: a bot wall says nothing about the listing.
NOT_FOR_SELLERS = frozenset({EventKind.MONITORING_BLOCKED.value})


def message_id(event_id: int, email: str) -> str:
    """Stable per (event, person), so a resend of the same alert is recognisable as the same message."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]
    return f"<event-{event_id}.{digest}@vigie.local>"


def marketplace_sellers(session: Session, marketplace: str) -> list[Recipient]:
    """Whoever watches an active product listing on that marketplace: a fee change concerns them all."""
    found: list[Recipient] = []
    query = select(Listing).where(Listing.marketplace == marketplace, Listing.kind == "listing",
                                  Listing.active.is_(True)).order_by(Listing.id)
    for listing in session.scalars(query):
        found += list(listing.recipients) or list(listing.account.recipients)
    return found


def enqueue(session: Session, event: Event, *, now: datetime, default_lang: str) -> list[AlertDelivery]:
    """Add the pending deliveries of one event; returns only the rows created by this call.

    Idempotent: a recipient who already has a row for this event (whatever its status) gets none.
    The event must be flushed (it needs its id).
    """
    if event.kind in NOT_FOR_SELLERS:
        return []
    if event.id is None:
        session.flush()
    listing = event.listing
    account = listing.account
    recipients: list[Recipient] = list(listing.recipients) or list(account.recipients)
    accounts: list[Account] = [account]
    if event.kind == EventKind.FEE_SCHEDULE_CHANGE.value:
        sellers = marketplace_sellers(session, listing.marketplace)
        recipients += sellers
        accounts += [recipient.account for recipient in sellers]
    # the accounts' channels (issue 28): email ones join this outbox, the others have their own
    enqueue_channels(session, event, accounts, now=now, default_lang=default_lang)
    addresses = [(recipient.email, recipient.lang or recipient.account.lang or default_lang)
                 for recipient in recipients]
    addresses += [(channel.target, channel.account.lang or default_lang)
                  for channel in email_channels(session, accounts)]
    already = {
        address.lower()
        for address in session.scalars(select(AlertDelivery.recipient).where(AlertDelivery.event_id == event.id))
    }
    created: list[AlertDelivery] = []
    for email, lang in addresses:
        address = email.strip()
        key = address.lower()
        if not address or key in already:
            continue
        already.add(key)
        row = AlertDelivery(
            event_id=event.id,
            recipient=address,
            lang=lang,
            message_id=message_id(event.id, address),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(row)
        created.append(row)
    if created:
        session.flush()
    return created


def email_channels(session: Session, accounts: list[Account]) -> list[Channel]:
    ids = sorted({account.id for account in accounts})
    return list(session.scalars(select(Channel).where(
        Channel.account_id.in_(ids), Channel.kind == "email", live_channels()).order_by(Channel.id)))
