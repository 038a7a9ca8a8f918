"""Digest mode per channel: a chat or webhook in "digest" mode gets one message a day, not one per event.

A channel's mode is its own (`Channel.alert_mode`) or, when unset, its account's. As for email digests
(alerts.digest), delistings, lost offers and fee changes always go at once; the other rows of a digest
channel are held (status "digest") before each pass, then gathered per channel once a day (after `hour`
UTC) into one message: a chat gets the list of what happened, a webhook one signed `vigie.digest` body
holding every event, its `webhook-id` stable per (channel, day) so a resend after a crash is recognised.
Claimed with a lease before sending; a failure backs off like any delivery and counts toward the
channel's failing episode.
"""
from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channel_guard import NetworkPolicy
from alerts.channel_health import channel_failed, channel_worked
from alerts.channel_messages import ChatMessage, body_bytes, event_payload, event_title, iso, no_mentions, observatory_link
from alerts.channel_sender import ERROR_MAX, MAX_ATTEMPTS, WORKERS, ChannelReport
from alerts.channel_transport import ChannelTransport, Outgoing, SendFailed
from alerts.digest import ALWAYS_IMMEDIATE, CLAIMED, HELD, last_boundary  # noqa: F401 (re-exported)
from alerts.render import LANGS, make_environment, one_line, render
from alerts.sender import backoff
from store.db import session_scope
from store.models import Account, Event
from store.models_channels import Channel, ChannelDelivery

LEASE = timedelta(minutes=15)
CHAT_LINES = 20  # a chat digest names this many events, then says how many more


def digest_channels():
    """The channels in digest mode, their own or their account's."""
    return (select(Channel.id).join(Account, Account.id == Channel.account_id)
            .where(func.coalesce(Channel.alert_mode, Account.alert_mode) == "digest"))


def hold_channel_digests(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Moves the pending, never-tried rows of digest channels out of the immediate pass."""
    immediate = select(Event.id).where(Event.kind.in_(ALWAYS_IMMEDIATE))
    with session_scope(sessions) as session:
        return session.execute(update(ChannelDelivery).where(
            ChannelDelivery.status == "pending", ChannelDelivery.attempts == 0,
            ChannelDelivery.channel_id.in_(digest_channels()), ChannelDelivery.event_id.not_in(immediate))
            .values(status=HELD).execution_options(synchronize_session=False)).rowcount or 0


def digest_webhook_id(channel_id: int, boundary: datetime) -> str:
    return f"msg_vigie_digest_c{channel_id}_{boundary:%Y%m%d}"


def send_channel_digests(sessions: sessionmaker[Session], *, now: datetime, hour: int, policy: NetworkPolicy,
                         public_url: str | None, transport: ChannelTransport, clock=None) -> ChannelReport:
    """Sends each digest channel its rows held from before the last boundary, each channel in a thread;
    `clock()` gives each attempt's time (signed into webhooks; default: `now`)."""
    boundary = last_boundary(now, hour)
    due = or_(and_(ChannelDelivery.status == HELD, ChannelDelivery.created_at < boundary),
              and_(ChannelDelivery.status == CLAIMED, ChannelDelivery.next_attempt_at <= now))
    with session_scope(sessions) as session:
        rows = session.execute(select(ChannelDelivery.channel_id, ChannelDelivery.id).where(due)).all()
    by_channel: dict[int, list[int]] = defaultdict(list)
    for channel_id, delivery_id in rows:
        by_channel[channel_id].append(delivery_id)
    report = ChannelReport()
    if not by_channel:
        return report
    sender = DigestSender(sessions, now=now, boundary=boundary, policy=policy, public_url=public_url,
                          transport=transport, clock=clock or (lambda: now))
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(by_channel)), thread_name_prefix="vigie-digest") as pool:
        for result in pool.map(sender, sorted(by_channel.items())):
            report.add(result)
    return report


@dataclass
class DigestSender:
    sessions: sessionmaker[Session]
    now: datetime
    boundary: datetime
    policy: NetworkPolicy
    public_url: str | None
    transport: ChannelTransport
    clock: Callable[[], datetime]

    def __call__(self, item: tuple[int, list[int]]) -> ChannelReport:
        channel_id, ids = item
        report = ChannelReport()
        outgoing = self.claim(channel_id, ids)
        if outgoing is None:
            return report
        try:
            self.transport.send(outgoing, policy=self.policy, now=self.clock())
        except Exception as error:  # SendFailed, or a bug: either way the rows stay owed
            text = str(error) if isinstance(error, SendFailed) else f"{type(error).__name__}: {error}"
            failed = self.record_failure(channel_id, ids, text)
            report.failed += failed
            report.retried += not failed
            if failed:
                report.failures.append((outgoing.shown, text))
            return report
        with session_scope(self.sessions) as session:
            session.execute(update(ChannelDelivery).where(ChannelDelivery.id.in_(ids), ChannelDelivery.status == CLAIMED)
                            .values(status="sent", sent_at=self.now, last_error=None)
                            .execution_options(synchronize_session=False))
            channel_worked(session, channel_id)
        report.sent += 1
        return report

    def claim(self, channel_id: int, ids: list[int]) -> Outgoing | None:
        with session_scope(self.sessions) as session:
            claimed = session.execute(update(ChannelDelivery).where(
                ChannelDelivery.id.in_(ids), or_(ChannelDelivery.status == HELD, and_(
                    ChannelDelivery.status == CLAIMED, ChannelDelivery.next_attempt_at <= self.now)))
                .values(status=CLAIMED, next_attempt_at=self.now + LEASE)
                .execution_options(synchronize_session=False)).rowcount
            if not claimed:
                return None
            channel = session.get(Channel, channel_id)
            deliveries = session.scalars(select(ChannelDelivery).where(
                ChannelDelivery.id.in_(ids), ChannelDelivery.status == CLAIMED).order_by(ChannelDelivery.id)).all()
            webhook_id = digest_webhook_id(channel_id, self.boundary)
            if channel.kind == "webhook":
                events = [event_payload(d.event, d.event.listing, public_url=self.public_url,
                                        title=event_title(session, d.event))["data"] for d in deliveries]
                body = body_bytes({"type": "vigie.digest", "timestamp": iso(self.boundary),
                                   "data": {"events": events}})
                return Outgoing(deliveries[0].id, "webhook", channel.target, channel.shown, channel.secret,
                                webhook_id, body=body)
            return Outgoing(deliveries[0].id, channel.kind, channel.target, channel.shown, None, webhook_id,
                            chat=self.chat(deliveries))

    def chat(self, deliveries) -> ChatMessage:
        environment = make_environment()
        lang = deliveries[0].lang if deliveries[0].lang in LANGS else "fr"
        items = [{"subject": render(d.event, d.event.listing, lang=lang, environment=environment).subject,
                  "url": observatory_link(self.public_url, d.event.listing_id) or d.event.listing.url}
                 for d in deliveries]
        title = one_line(environment.get_template(f"{lang}/digest.subject.j2").render(items=items))
        lines = [f"- {one_line(item['subject'])} {item['url']}" for item in items[:CHAT_LINES]]
        if len(items) > CHAT_LINES:
            lines.append(f"(+{len(items) - CHAT_LINES})")
        return ChatMessage(no_mentions(title), no_mentions("\n".join(lines)))

    def record_failure(self, channel_id: int, ids: list[int], error: str) -> bool:
        """Backs the claimed rows off together; True when they have run out of attempts (failed)."""
        error = " ".join(error.split())[:ERROR_MAX]
        with session_scope(self.sessions) as session:
            attempts = 1 + (session.scalar(select(func.max(ChannelDelivery.attempts))
                                           .where(ChannelDelivery.id.in_(ids))) or 0)
            failed = attempts >= MAX_ATTEMPTS
            values = {"attempts": attempts, "last_error": error}
            values |= {"status": "failed"} if failed else {"next_attempt_at": self.now + backoff(attempts)}
            session.execute(update(ChannelDelivery).where(ChannelDelivery.id.in_(ids), ChannelDelivery.status == CLAIMED)
                            .values(**values).execution_options(synchronize_session=False))
            channel_failed(session, channel_id, now=self.now)
        return failed
