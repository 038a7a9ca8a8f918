"""Daily digests: accounts in "digest" mode get one email a day instead of one per event.

Delistings, lost offers and fee changes are always sent at once. The other deliveries of a digest
account are held (status "digest") before each outbox pass, then gathered per recipient once a day
(after `hour` UTC) into one email; its Message-ID is stable per (recipient, day), so a resend after
a crash is recognisable. Rows are claimed (status "digesting", with a lease) before sending and
marked sent after, as the outbox does.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.render import make_environment, one_line, render
from alerts.transport import Transport
from detector.model import EventKind
from store.db import session_scope
from store.models import Account, AlertDelivery, Event, Listing

ALWAYS_IMMEDIATE = frozenset({EventKind.DELISTED.value, EventKind.OFFER_GONE.value,
                              EventKind.SHIPPING_FEE_CHANGE.value, EventKind.FEE_SCHEDULE_CHANGE.value,
                              EventKind.SHOP_OFFER_MISSING.value, EventKind.SHOP_GONE.value})
HELD, CLAIMED = "digest", "digesting"
LEASE = timedelta(minutes=15)
# Deliveries are held at `now`, then the outbox pass runs with `now - HOLD_MARGIN`: a row recorded
# between the two is not yet due for it, and is held by the next pass.
HOLD_MARGIN = timedelta(seconds=5)


def hold_for_digest(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Moves the pending, never-tried deliveries of digest accounts out of the immediate outbox."""
    digest_events = (select(Event.id).join(Listing, Listing.id == Event.listing_id)
                     .join(Account, Account.id == Listing.account_id)
                     .where(Account.alert_mode == "digest", Event.kind.not_in(ALWAYS_IMMEDIATE)))
    with session_scope(sessions) as session:
        return session.execute(update(AlertDelivery).where(
            AlertDelivery.status == "pending", AlertDelivery.attempts == 0,
            AlertDelivery.event_id.in_(digest_events)).values(status=HELD)
            .execution_options(synchronize_session=False)).rowcount or 0


def last_boundary(now: datetime, hour: int) -> datetime:
    """The latest daily digest time (today's `hour` UTC, or yesterday's before it)."""
    today = datetime.combine(now.date(), time(hour=hour % 24), tzinfo=now.tzinfo)
    return today if now >= today else today - timedelta(days=1)


def digest_message_id(recipient: str, boundary: datetime) -> str:
    digest = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:16]
    return f"<digest-{boundary:%Y%m%d}.{digest}@vigie.local>"


def send_due_digests(sessions: sessionmaker[Session], transport: Transport, *, now: datetime, mail_from: str,
                     hour: int) -> int:
    """Sends one digest per recipient with held rows from before the last boundary; returns emails sent."""
    boundary = last_boundary(now, hour)
    with session_scope(sessions) as session:
        rows = session.execute(select(AlertDelivery.id, AlertDelivery.recipient).where(
            AlertDelivery.created_at < boundary,
            or_(AlertDelivery.status == HELD,
                (AlertDelivery.status == CLAIMED) & (AlertDelivery.next_attempt_at <= now)))).all()
    by_recipient: dict[str, list[int]] = defaultdict(list)
    for delivery_id, recipient in rows:
        by_recipient[recipient.lower()].append(delivery_id)
    sent = 0
    environment = make_environment()
    with transport:
        for recipient, ids in by_recipient.items():
            with session_scope(sessions) as session:
                claimed = session.execute(update(AlertDelivery).where(
                    AlertDelivery.id.in_(ids), AlertDelivery.status.in_((HELD, CLAIMED)))
                    .values(status=CLAIMED, next_attempt_at=now + LEASE)
                    .execution_options(synchronize_session=False)).rowcount
                if not claimed:
                    continue
                deliveries = session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids))
                                             .order_by(AlertDelivery.id)).all()
                message = build(deliveries, boundary=boundary, now=now, mail_from=mail_from,
                                environment=environment)
            location = transport.send(message)
            with session_scope(sessions) as session:
                session.execute(update(AlertDelivery).where(AlertDelivery.id.in_(ids)).values(
                    status="sent", sent_at=now, transport=transport.name, location=location)
                    .execution_options(synchronize_session=False))
            sent += 1
    return sent


def build(deliveries, *, boundary: datetime, now: datetime, mail_from: str, environment=None) -> EmailMessage:
    env = environment or make_environment()
    first = deliveries[0]
    lang = first.lang if first.lang in ("fr", "en") else "fr"
    items = [{"subject": render(d.event, d.event.listing, lang=lang, environment=env).subject,
              "url": d.event.listing.url} for d in deliveries]
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = first.recipient
    message["Subject"] = one_line(env.get_template(f"{lang}/digest.subject.j2").render(items=items))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = digest_message_id(first.recipient, boundary)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Vigie-Event"] = "digest"
    message.set_content(env.get_template(f"{lang}/digest.txt.j2").render(items=items))
    message.add_alternative(env.get_template(f"{lang}/digest.html.j2").render(items=items), subtype="html")
    return message
