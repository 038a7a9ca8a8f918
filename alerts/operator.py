"""The operator's emails: a marketplace blocking Vigie for too long (once per episode, never to sellers), and
an account's alert channel failing for a day (written and sent by alerts.channel_health, built here).

An episode starts at the first blocked check after the marketplace's last check that was not
blocked, and ends with the next check that is not blocked. Its start is the key of the row in
`operator_alerts`, so the job can run every few seconds and still write (and send) one email.
Sending follows the outbox's rule: claim with a lease, send, record; a crash between sending and
recording is the one place a duplicate (same Message-ID) can happen.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.render import make_environment, one_line
from alerts.transport import PermanentFailure, Transport
from store.db import session_scope
from store.models import Listing, Snapshot
from store.models_service import OperatorAlert

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
RETRY = timedelta(minutes=5)
MAX_ATTEMPTS = 8


def blocked_episodes(session: Session, *, now: datetime, after: timedelta) -> dict[str, tuple[datetime, int]]:
    """Marketplace → (blocked since, blocked checks) for each one blocked longer than `after`."""
    last_ok = dict(session.execute(
        select(Listing.marketplace, func.max(Snapshot.fetched_at)).join(Listing, Listing.id == Snapshot.listing_id)
        .where(Snapshot.outcome != "blocked").group_by(Listing.marketplace)).all())
    found: dict[str, tuple[datetime, int]] = {}
    for marketplace, since, count in session.execute(
            select(Listing.marketplace, func.min(Snapshot.fetched_at), func.count())
            .join(Listing, Listing.id == Snapshot.listing_id).where(Snapshot.outcome == "blocked")
            .group_by(Listing.marketplace)).all():
        ok = last_ok.get(marketplace)
        if ok is not None:
            since, count = session.execute(
                select(func.min(Snapshot.fetched_at), func.count()).join(Listing, Listing.id == Snapshot.listing_id)
                .where(Listing.marketplace == marketplace, Snapshot.outcome == "blocked",
                       Snapshot.fetched_at > ok)).one()
        if since is not None and now - since >= after:
            found[marketplace] = (since, count)
    return found


def message_id(marketplace: str, since: datetime) -> str:
    digest = hashlib.sha256(f"{marketplace}|{since.isoformat()}".encode()).hexdigest()[:16]
    return f"<blocked-{digest}@vigie.local>"


def notify_blocked_marketplaces(sessions: sessionmaker[Session], transport: Transport, *, now: datetime,
                                mail_from: str, operator: str, after: timedelta, lang: str = "fr") -> int:
    """Writes the email row of each new episode, then sends what is due; returns how many were sent."""
    with session_scope(sessions) as session:
        for marketplace, (since, count) in blocked_episodes(session, now=now, after=after).items():
            known = session.scalar(select(OperatorAlert.id).where(OperatorAlert.marketplace == marketplace,
                                                                  OperatorAlert.blocked_since == since))
            if known is None:
                session.add(OperatorAlert(marketplace=marketplace, blocked_since=since, blocked_checks=count,
                                          recipient=operator, message_id=message_id(marketplace, since),
                                          status="pending", attempts=0, next_attempt_at=now, created_at=now))
                log.warning("operator: %s has blocked Vigie since %s", marketplace, since.isoformat())
    sent = 0
    environment = make_environment()
    with transport:
        while (alert_id := _claim(sessions, now=now)) is not None:
            with session_scope(sessions) as session:
                alert = session.get(OperatorAlert, alert_id)
                message = build(alert, now=now, mail_from=mail_from, lang=lang, environment=environment)
            try:
                transport.send(message)
            except Exception as error:  # counted and retried later; never blocks the sellers' alerts
                _record(sessions, alert_id, now=now, error=f"{type(error).__name__}: {error}",
                        permanent=isinstance(error, PermanentFailure))
                break
            _record(sessions, alert_id, now=now, error=None, permanent=False)
            sent += 1
    return sent


def build(alert: OperatorAlert, *, now: datetime, mail_from: str, lang: str, environment=None) -> EmailMessage:
    env = environment or make_environment()
    lang = lang if lang in ("fr", "en") else "fr"
    context = {"marketplace": alert.marketplace, "since_utc": alert.blocked_since.strftime("%Y-%m-%d %H:%M UTC"),
               "hours": round((now - alert.blocked_since).total_seconds() / 3600, 1), "checks": alert.blocked_checks}
    text = env.get_template(f"{lang}/operator_blocked.txt.j2").render(context)
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = alert.recipient
    message["Subject"] = one_line(env.get_template(f"{lang}/operator_blocked.subject.j2").render(context))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = alert.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Vigie-Event"] = alert.kind
    message.set_content(text)
    message.add_alternative(env.get_template(f"{lang}/operator_blocked.html.j2").render(text=text), subtype="html")
    return message


def channel_failing_email(subject: str, text: str, *, recipient: str, message_id: str, now: datetime,
                          mail_from: str) -> EmailMessage:
    """A channel-failing notice by email (the operator's, and the account's recipients'): one per outage."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mail_from, recipient, subject
    message["Date"], message["Message-ID"] = format_datetime(now), message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Vigie-Event"] = "channel_failing"
    message.set_content(text)
    return message


def _claim(sessions: sessionmaker[Session], *, now: datetime) -> int | None:
    with session_scope(sessions) as session:
        due = session.scalar(select(OperatorAlert.id).where(OperatorAlert.status == "pending",
                                                            OperatorAlert.next_attempt_at <= now)
                             .order_by(OperatorAlert.id).limit(1))
        if due is None:
            return None
        claimed = session.execute(update(OperatorAlert).where(
            OperatorAlert.id == due, OperatorAlert.status == "pending", OperatorAlert.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE)).rowcount
        return due if claimed else None


def _record(sessions: sessionmaker[Session], alert_id: int, *, now: datetime, error: str | None,
            permanent: bool) -> None:
    with session_scope(sessions) as session:
        alert = session.get(OperatorAlert, alert_id)
        if error is None:
            alert.status, alert.sent_at, alert.last_error = "sent", now, None
            return
        alert.attempts += 1
        alert.last_error = " ".join(error.split())[:500]
        if permanent or alert.attempts >= MAX_ATTEMPTS:
            alert.status = "failed"
        else:
            alert.next_attempt_at = now + RETRY * alert.attempts
