"""A channel failing for a day is reported once: to its account, through the account's other channels
and its recipients' email, and to the operator.

A failing episode starts at a channel's first failed send after one that went through
(`Channel.failing_since`) and ends with the next success. When it has lasted `after`, one conditional
update marks it reported (`failing_reported_at`, so two nodes never both report it) and writes one
`ChannelNotice` per destination in the same transaction; the notices then go out as alerts do: claimed
with a lease, sent, recorded, retried with back-off, each with a Message-ID / webhook-id stable across
retries. The failing channel itself is never one of the destinations.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Callable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channel_guard import NetworkPolicy
from alerts.channel_messages import ChatMessage, body_bytes, iso, no_mentions, signed_headers
from alerts.channel_transport import ChannelTransport, SendFailed
from alerts.operator import channel_failing_email
from alerts.render import LANGS, Templates, make_environment, one_line
from alerts.sender import backoff
from alerts.transport import Transport
from store.db import session_scope
from store.models import Recipient
from store.models_channels import Channel, ChannelDelivery, ChannelNotice, live_channels

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=5)


def channel_failed(session: Session, channel_id: int, *, now: datetime) -> None:
    """A send to the channel failed: its failing episode starts now unless one is under way."""
    session.execute(update(Channel).where(Channel.id == channel_id, Channel.failing_since.is_(None))
                    .values(failing_since=now).execution_options(synchronize_session=False))


def channel_worked(session: Session, channel_id: int) -> None:
    """A send went through: the episode, reported or not, is over (the next failure starts a new one)."""
    session.execute(update(Channel).where(Channel.id == channel_id, Channel.failing_since.is_not(None))
                    .values(failing_since=None, failing_reported_at=None).execution_options(synchronize_session=False))


def notice_id(channel_id: int, since: datetime, destination: str) -> str:
    digest = hashlib.sha256(f"{channel_id}|{since.isoformat()}|{destination.lower()}".encode()).hexdigest()[:20]
    return f"<channel-failing-{digest}@vigie.local>"


def report_failing_channels(sessions: sessionmaker[Session], *, now: datetime, after: timedelta,
                            operator_email: str | None, default_lang: str) -> int:
    """Writes the notices of every episode that has lasted `after` and was not reported; returns how many
    channels were reported now."""
    reported = 0
    with session_scope(sessions) as session:
        due = session.scalars(select(Channel.id).where(
            Channel.active.is_(True), Channel.failing_since <= now - after,
            Channel.failing_reported_at.is_(None)).order_by(Channel.id)).all()
    for channel_id in due:
        with session_scope(sessions) as session:
            marked = session.execute(update(Channel).where(
                Channel.id == channel_id, Channel.failing_reported_at.is_(None), Channel.failing_since.is_not(None))
                .values(failing_reported_at=now).execution_options(synchronize_session=False)).rowcount
            if not marked:
                continue  # another node reported it, or it recovered meanwhile
            channel = session.get(Channel, channel_id)
            session.refresh(channel)
            for notice in notices_for(session, channel, now=now, operator_email=operator_email,
                                      default_lang=default_lang):
                session.add(notice)
            log.warning("alerts: channel %s (%s) failing since %s: reported", channel.id, channel.shown,
                        channel.failing_since.isoformat())
            reported += 1
    return reported


def notices_for(session: Session, channel: Channel, *, now: datetime, operator_email: str | None,
                default_lang: str) -> list[ChannelNotice]:
    account = channel.account
    lang = account.lang or default_lang
    since = channel.failing_since

    def notice(audience: str, destination: str, **where) -> ChannelNotice:
        return ChannelNotice(channel_id=channel.id, failing_since=since, audience=audience,
                             message_id=notice_id(channel.id, since, destination), lang=where.pop("lang", lang),
                             status="pending", attempts=0, next_attempt_at=now, created_at=now, **where)

    found: list[ChannelNotice] = []
    emails: set[str] = set()
    # the account's shared channels and, for a seller's own channel, that seller's others: not other sellers'
    mine = Channel.user_id.is_(None) if channel.user_id is None else or_(Channel.user_id.is_(None),
                                                                          Channel.user_id == channel.user_id)
    others = session.scalars(select(Channel).where(Channel.account_id == account.id, live_channels(), mine,
                                                   Channel.id != channel.id).order_by(Channel.id))
    for other in others:
        if other.kind == "email":
            emails.add(other.target.lower())
            found.append(notice("account", f"mailto:{other.target}", recipient=other.target))
        else:
            found.append(notice("account", f"channel:{other.id}", to_channel_id=other.id))
    for recipient in session.scalars(select(Recipient).where(Recipient.account_id == account.id)
                                     .order_by(Recipient.id)):
        if recipient.email.lower() not in emails:
            emails.add(recipient.email.lower())
            found.append(notice("account", f"mailto:{recipient.email}", recipient=recipient.email,
                                lang=recipient.lang or lang))
    if operator_email:
        found.append(notice("operator", f"operator:{operator_email}", recipient=operator_email, lang=default_lang))
    return found


@dataclass(frozen=True)
class NoticeSenders:
    email: Transport
    channels: ChannelTransport
    policy: NetworkPolicy
    mail_from: str
    clock: Callable[[], datetime] | None = None  # each attempt's time, signed into a webhook (default: `now`)


def deliver_notices(sessions: sessionmaker[Session], senders: NoticeSenders, *, now: datetime) -> int:
    """Sends the due notices, one at a time (there are few); returns how many went out."""
    sent = 0
    environment = make_environment()
    with senders.email:
        while (claimed := _claim(sessions, now=now)) is not None:
            with session_scope(sessions) as session:
                notice = session.get(ChannelNotice, claimed)
                context = notice_context(notice, now=now)
                to = notice.to_channel
                target = (to.kind, to.target, to.secret) if to is not None else None
                recipient, lang, audience, message_id = (notice.recipient, notice.lang, notice.audience,
                                                         notice.message_id)
            try:
                if target is None:
                    senders.email.send(_email(context, recipient=recipient, message_id=message_id, now=now,
                                              senders=senders, lang=lang, audience=audience,
                                              environment=environment))
                else:
                    _to_channel(target, context, message_id=message_id, lang=lang,
                                now=senders.clock() if senders.clock else now, senders=senders,
                                environment=environment)
            except Exception as error:  # counted and retried later; never stops the other notices
                _record(sessions, claimed, now=now, error=f"{type(error).__name__}: {error}"
                        if not isinstance(error, SendFailed) else str(error))
                continue
            _record(sessions, claimed, now=now, error=None)
            sent += 1
    return sent


def notice_context(notice: ChannelNotice, *, now: datetime) -> dict:
    channel = notice.channel
    last_error = _last_error(notice)
    return {"channel": channel.shown, "channel_id": channel.id, "account": channel.account.name,
            "since": notice.failing_since.strftime("%Y-%m-%d %H:%M UTC"), "since_iso": iso(notice.failing_since),
            "hours": round((now - notice.failing_since).total_seconds() / 3600, 1), "last_error": last_error}


def _last_error(notice: ChannelNotice) -> str | None:
    from sqlalchemy.orm import object_session

    session = object_session(notice)
    return session.scalar(select(ChannelDelivery.last_error).where(
        ChannelDelivery.channel_id == notice.channel_id, ChannelDelivery.last_error.is_not(None))
        .order_by(ChannelDelivery.next_attempt_at.desc(), ChannelDelivery.id.desc()).limit(1))


def _texts(context: dict, *, lang: str, operator: bool, environment: Templates) -> tuple[str, str]:
    lang = lang if lang in LANGS else "fr"
    values = {**context, "operator": operator}
    subject = one_line(environment.get_template(f"{lang}/channel_failing.subject.j2").render(values))
    return subject, environment.get_template(f"{lang}/channel_failing.txt.j2").render(values)


def _email(context: dict, *, recipient: str, message_id: str, now: datetime, senders: NoticeSenders, lang: str,
           audience: str, environment: Templates) -> EmailMessage:
    """The account's and the operator's emails differ in their words only (the template's `operator`)."""
    subject, text = _texts(context, lang=lang, operator=audience == "operator", environment=environment)
    return channel_failing_email(subject, text, recipient=recipient, message_id=message_id, now=now,
                                 mail_from=senders.mail_from)


def _to_channel(target: tuple, context: dict, *, message_id: str, lang: str, now: datetime,
                senders: NoticeSenders, environment: Templates) -> None:
    kind, url, secret = target
    if kind == "webhook":
        body = body_bytes({"type": "vigie.channel.failing", "timestamp": iso(now), "data": {
            "channel": {"id": context["channel_id"], "target": context["channel"]}, "account": context["account"],
            "failing_since": context["since_iso"], "last_error": context["last_error"]}})
        webhook_id = "msg_vigie_" + message_id.strip("<>").split("@", 1)[0]
        senders.channels.post_webhook(url, body, signed_headers(secret, webhook_id, body, now=now),
                                      policy=senders.policy)
        return
    subject, text = _texts(context, lang=lang, operator=False, environment=environment)
    first = text.split("\n\n", 1)[0]
    senders.channels.notify(url, ChatMessage(no_mentions(subject), no_mentions(one_line(first))),
                            policy=senders.policy)


def _claim(sessions: sessionmaker[Session], *, now: datetime) -> int | None:
    with session_scope(sessions) as session:
        due = session.scalar(select(ChannelNotice.id).where(ChannelNotice.status == "pending",
                                                            ChannelNotice.next_attempt_at <= now)
                             .order_by(ChannelNotice.next_attempt_at, ChannelNotice.id).limit(1))
        if due is None:
            return None
        claimed = session.execute(update(ChannelNotice).where(
            ChannelNotice.id == due, ChannelNotice.status == "pending", ChannelNotice.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE).execution_options(synchronize_session=False)).rowcount
        return due if claimed else _claim(sessions, now=now)


def _record(sessions: sessionmaker[Session], notice_id_: int, *, now: datetime, error: str | None) -> None:
    with session_scope(sessions) as session:
        notice = session.get(ChannelNotice, notice_id_)
        if error is None:
            notice.status, notice.sent_at, notice.last_error = "sent", now, None
            return
        notice.attempts += 1
        notice.last_error = " ".join(error.split())[:500]
        if notice.attempts >= MAX_ATTEMPTS:
            notice.status = "failed"
        else:
            notice.next_attempt_at = now + backoff(notice.attempts)
        log.warning("alerts: channel notice %s: %s (%s)", notice.message_id, notice.last_error, notice.status)
