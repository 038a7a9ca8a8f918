"""Delivering the channels' outbox: each (event, channel) row sent once, with the email outbox's guarantees.

As in alerts.sender, one row at a time in three short transactions: claim (the row's next_attempt_at
pushed forward by a lease, FOR UPDATE SKIP LOCKED on PostgreSQL), send outside any transaction, record.
A sender killed between claim and record leaves the row pending; when the lease runs out it goes again
with the same `webhook-id`, which receivers de-duplicate on (a chat cannot: there, a kill in the instant
between the service accepting and the record committing shows the message twice; it is never lost).

Each channel is drained by a thread of its own, so a channel that hangs until its timeout, or is down,
never delays another; a failure puts the row back with back-off (60 s doubling to 6 h, MAX_ATTEMPTS
attempts: about three days) and moves the channel's other due rows to the same time, their attempts
untouched: a channel down for a day costs one request per back-off step, not one per alert.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channel_guard import NetworkPolicy
from alerts.channel_health import channel_failed, channel_worked
from alerts.channel_messages import body_bytes, chat_message, event_payload, event_title
from alerts.channel_transport import ChannelTransport, Outgoing, SendFailed
from alerts.render import make_environment
from alerts.sender import SKIP_LOCKED_DIALECTS, backoff
from store.db import session_scope
from store.models import Event, Listing
from store.models_channels import Channel, ChannelDelivery, live_channels

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
ERROR_MAX = 500
WORKERS = 8


@dataclass
class ChannelReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (channel as shown, last error)

    def add(self, other: ChannelReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.failures += other.failures


def webhook_id(event_id: int, channel_id: int) -> str:
    """Stable per (event, channel): every retry of one alert to one channel carries the same id."""
    return f"msg_vigie_e{event_id}_c{channel_id}"


def enqueue_channels(session: Session, event: Event, accounts: list, *, now: datetime,
                     default_lang: str) -> list[ChannelDelivery]:
    """One pending row per active non-email channel of `accounts` (idempotent); in the caller's transaction."""
    ids = sorted({account.id for account in accounts})
    if not ids:
        return []
    channels = session.scalars(select(Channel).where(
        Channel.account_id.in_(ids), live_channels(), Channel.kind != "email").order_by(Channel.id)).all()
    already = set(session.scalars(select(ChannelDelivery.channel_id).where(ChannelDelivery.event_id == event.id)))
    created = []
    for channel in channels:
        if channel.id in already:
            continue
        row = ChannelDelivery(event_id=event.id, channel_id=channel.id, webhook_id=webhook_id(event.id, channel.id),
                              lang=channel.account.lang or default_lang, status="pending", attempts=0,
                              next_attempt_at=now, created_at=now)
        session.add(row)
        created.append(row)
    if created:
        session.flush()
    return created


def deliver_channels(sessions: sessionmaker[Session], *, now: datetime, policy: NetworkPolicy,
                     public_url: str | None, transport: ChannelTransport, limit: int = 500,
                     max_attempts: int = MAX_ATTEMPTS, lease: timedelta | None = None,
                     clock=None) -> ChannelReport:
    """Sends the due rows, each channel in a thread of its own; `clock()` gives each attempt's timestamp."""
    lease = lease or transport.lease
    clock = clock or (lambda: now)
    with session_scope(sessions) as session:
        channel_ids = session.scalars(select(ChannelDelivery.channel_id).where(
            ChannelDelivery.status == "pending", ChannelDelivery.next_attempt_at <= now).distinct()).all()
    report = ChannelReport()
    if not channel_ids:
        return report
    drain = ChannelDrain(sessions, now=now, policy=policy, public_url=public_url, transport=transport,
                         limit=limit, max_attempts=max_attempts, lease=lease, clock=clock)
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(channel_ids)), thread_name_prefix="vigie-channel") as pool:
        for result in pool.map(drain, sorted(channel_ids)):
            report.add(result)
    return report


@dataclass
class ChannelDrain:
    sessions: sessionmaker[Session]
    now: datetime
    policy: NetworkPolicy
    public_url: str | None
    transport: ChannelTransport
    limit: int
    max_attempts: int
    lease: timedelta
    clock: object

    def __call__(self, channel_id: int) -> ChannelReport:
        report = ChannelReport()
        environment = make_environment()
        for _ in range(self.limit):
            try:
                outgoing = self.claim(channel_id, environment)
            except Exception:
                log.exception("alerts: cannot claim a delivery of channel %s", channel_id)
                break
            if outgoing is None:
                break
            try:
                self.transport.send(outgoing, policy=self.policy, now=self.clock())
            except SendFailed as error:
                status = self.record_failure(outgoing, str(error))
                report.failed += status == "failed"
                report.retried += status == "pending"
                if status == "failed":
                    report.failures.append((outgoing.shown, str(error)))
                break  # the channel is failing: its other rows wait for the same back-off
            except Exception as error:  # a bug must not take the other channels down
                log.exception("alerts: delivery %s", outgoing.webhook_id)
                self.record_failure(outgoing, f"{type(error).__name__}: {error}")
                report.retried += 1
                break
            self.record_sent(outgoing, channel_id)
            report.sent += 1
        return report

    def claim(self, channel_id: int, environment) -> Outgoing | None:
        with session_scope(self.sessions) as session:
            due = (select(ChannelDelivery.id)
                   .where(ChannelDelivery.channel_id == channel_id, ChannelDelivery.status == "pending",
                          ChannelDelivery.next_attempt_at <= self.now)
                   .order_by(ChannelDelivery.next_attempt_at, ChannelDelivery.id).limit(1))
            if session.get_bind().dialect.name in SKIP_LOCKED_DIALECTS:
                due = due.with_for_update(skip_locked=True)
            # the write first: SQLite takes its write lock before reading, so two senders never share a row
            claimed = session.execute(
                update(ChannelDelivery)
                .where(ChannelDelivery.id == due.scalar_subquery(), ChannelDelivery.status == "pending",
                       ChannelDelivery.next_attempt_at <= self.now)
                .values(next_attempt_at=self.now + self.lease)
                .returning(ChannelDelivery.id)
                .execution_options(synchronize_session=False)).scalar()
            if claimed is None:
                return None
            delivery = session.get(ChannelDelivery, claimed)
            channel, event = delivery.channel, delivery.event
            listing: Listing = event.listing
            if channel.kind == "webhook":
                payload = event_payload(event, listing, public_url=self.public_url, title=event_title(session, event))
                return Outgoing(delivery.id, channel.kind, channel.target, channel.shown, channel.secret,
                                delivery.webhook_id, body=body_bytes(payload))
            chat = chat_message(event, listing, lang=delivery.lang, public_url=self.public_url,
                                environment=environment)
            return Outgoing(delivery.id, channel.kind, channel.target, channel.shown, None, delivery.webhook_id,
                            chat=chat)

    def record_sent(self, outgoing: Outgoing, channel_id: int) -> None:
        with session_scope(self.sessions) as session:
            session.execute(update(ChannelDelivery).where(ChannelDelivery.id == outgoing.delivery_id).values(
                status="sent", sent_at=self.now, last_error=None).execution_options(synchronize_session=False))
            channel_worked(session, channel_id)

    def record_failure(self, outgoing: Outgoing, error: str) -> str:
        """Counts the attempt, backs off; the channel's other due rows wait as long (attempts untouched)."""
        error = " ".join(error.split())[:ERROR_MAX]
        with session_scope(self.sessions) as session:
            delivery = session.get(ChannelDelivery, outgoing.delivery_id)
            delivery.attempts += 1
            delivery.last_error = error
            channel_failed(session, delivery.channel_id, now=self.now)
            if delivery.attempts >= self.max_attempts:
                delivery.status = "failed"
            else:
                delivery.next_attempt_at = self.now + backoff(delivery.attempts)
                session.execute(update(ChannelDelivery).where(
                    ChannelDelivery.channel_id == delivery.channel_id, ChannelDelivery.status == "pending",
                    ChannelDelivery.id != delivery.id, ChannelDelivery.next_attempt_at <= self.now,
                ).values(next_attempt_at=delivery.next_attempt_at).execution_options(synchronize_session=False))
            log.warning("alerts: %s to %s: %s (%s)", outgoing.webhook_id, outgoing.shown, error, delivery.status)
            return delivery.status
