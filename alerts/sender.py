"""Delivering the outbox: each pending, due row becomes one email, sent once.

One message at a time, in three short steps, each its own transaction:
1. claim: one UPDATE pushes the row's next_attempt_at forward by a lease (with FOR UPDATE SKIP
   LOCKED on PostgreSQL), so a second sender running at the same time picks another row;
2. send, outside any transaction (network time never holds a database lock);
3. record: sent (status, sent_at, transport, location) or the failure and the next attempt.
A crash between 1 and 3 leaves the row pending; it becomes due again when the lease runs out (the
longest one send can take: `transport.lease`) and is resent with the same Message-ID. Only a crash
in the moment between the server accepting a message and step 3 committing gives a duplicate (the
same Message-ID twice); a loss is not possible.

A server that cannot be reached (or refuses the login or the sender) says nothing about the
message: the row is put back as it was, due and with its attempts untouched, so a mail server down
for a weekend delays alerts but never uses up their attempts or pushes them hours back.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.render import Templates, make_environment, render
from alerts.transport import PermanentFailure, Transport, TransientFailure
from store.db import one_line, session_scope, unavailable
from store.models import AlertDelivery

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=60)
LONGEST_RETRY = timedelta(hours=6)
DEFAULT_LEASE = timedelta(minutes=15)
SKIP_LOCKED_DIALECTS = frozenset({"postgresql"})
ERROR_MAX = 500


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0  # failed this time, will be tried again
    failed: int = 0  # given up: permanent refusal or max_attempts reached
    locations: tuple[str, ...] = ()  # where each sent message went (.eml path or SMTP server)
    deferred: int = 0  # due rows left untouched because the transport broke during this pass
    failures: tuple[tuple[str, str], ...] = ()  # (recipient, reason) of each row given up in this pass
    problem: str | None = None  # why the pass stopped early (the server could not be reached...)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    message: EmailMessage | None
    build_error: str | None


def backoff(attempts: int) -> timedelta:
    """60 s after the first failure, doubling each time, never more than 6 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def deliver_pending(
    sessions: sessionmaker[Session],
    transport: Transport,
    *,
    now: datetime,
    mail_from: str,
    limit: int = 500,
    max_attempts: int = 8,
    lease: timedelta | None = None,
) -> DeliveryReport:
    """Send up to `limit` due deliveries through `transport` (one connection for the whole pass).

    `lease`: how long a claimed row is hidden from other senders; by default the transport's own
    (`transport.lease`: as long as one send can take), else DEFAULT_LEASE.
    """
    environment = make_environment()
    lease = lease or getattr(transport, "lease", None) or DEFAULT_LEASE
    sent = retried = failed = 0
    locations: list[str] = []
    failures: list[tuple[str, str]] = []
    broken = False
    problem: str | None = None
    with transport:
        for _ in range(limit):
            claim = claim_next(sessions, now=now, lease=lease, mail_from=mail_from, environment=environment)
            lease_ends = time.monotonic() + lease.total_seconds()
            if claim is None:
                break
            if claim.message is None:
                outcome = record_failure(
                    sessions, claim.delivery_id, claim.build_error or "cannot build", now=now,
                    max_attempts=max_attempts, permanent=False,
                )
            else:
                try:
                    location = transport.send(claim.message)
                except PermanentFailure as error:
                    outcome = record_failure(
                        sessions, claim.delivery_id, str(error), now=now, max_attempts=max_attempts, permanent=True
                    )
                except TransientFailure as error:
                    if error.batch_broken:
                        outcome = record_unreachable(sessions, claim.delivery_id, str(error), now=now)
                        broken, problem = True, str(error)
                    else:
                        outcome = record_failure(
                            sessions, claim.delivery_id, str(error), now=now, max_attempts=max_attempts,
                            permanent=False,
                        )
                except Exception as error:  # a bad address or header: counted, retried, never silent
                    outcome = record_failure(
                        sessions, claim.delivery_id, f"{type(error).__name__}: {error}", now=now,
                        max_attempts=max_attempts, permanent=False,
                    )
                else:
                    patiently(lambda: record_sent(sessions, claim.delivery_id, transport_name=transport.name,
                                                  location=location, now=now),
                              until=lease_ends, what=f"recording {claim.message['Message-ID']} as sent")
                    locations.append(location)
                    outcome = "sent"
            sent += outcome == "sent"
            retried += outcome == "pending"
            if outcome == "failed":
                failed += 1
                failures.append(failure_of(sessions, claim.delivery_id))
            if broken:
                log.warning("alerts: %s is failing, stopping this pass", transport.describe())
                break
    deferred = count_due(sessions, now=now) if broken else 0
    return DeliveryReport(sent, retried, failed, tuple(locations), deferred, tuple(failures), problem)


def patiently(step, *, until: float, what: str, pause: float = 0.25):
    """Runs `step`, again and again while the database is unavailable, until `until` (monotonic).

    Used once the server has the message: a "sent" not recorded within the claim's lease means the
    same alert goes out again, so a database restart must be waited out, not given up on."""
    while True:
        try:
            return step()
        except Exception as error:
            if not unavailable(error) or time.monotonic() + pause > until:
                raise
            log.warning("alerts: %s waits for the database (%s)", what, one_line(error))
        time.sleep(pause)
        pause = min(pause * 2, 5.0)


def claim_next(
    sessions: sessionmaker[Session], *, now: datetime, lease: timedelta, mail_from: str, environment: Templates
) -> Claim | None:
    """Take the next due row for this sender and build its message; None when nothing is due."""
    with session_scope(sessions) as session:
        due = (
            select(AlertDelivery.id)
            .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
            .limit(1)
        )
        if session.get_bind().dialect.name in SKIP_LOCKED_DIALECTS:
            due = due.with_for_update(skip_locked=True)
        # The write comes first so that SQLite takes its write lock before reading: two senders
        # on one SQLite file then claim one after the other and never the same row.
        claimed = session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.id == due.scalar_subquery(),
                AlertDelivery.status == "pending",
                AlertDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease)
            .returning(AlertDelivery.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if claimed is None:
            return None
        delivery = session.get(AlertDelivery, claimed)
        assert delivery is not None
        try:
            message = build_message(delivery, now=now, mail_from=mail_from, environment=environment)
        except Exception as error:  # a template or data bug must not block the rest of the outbox
            log.exception("alerts: cannot build message %s", delivery.message_id)
            return Claim(claimed, None, f"cannot build the message: {type(error).__name__}: {error}")
        return Claim(claimed, message, None)


def build_message(
    delivery: AlertDelivery, *, now: datetime, mail_from: str, environment: Templates | None = None
) -> EmailMessage:
    event = delivery.event
    rendered = render(event, event.listing, lang=delivery.lang, environment=environment)
    if (event.details or {}).get("reasons"):  # the email says them in words; the log keeps the checker's own
        log.info("alerts: %s (event %s, %s): reasons %s", delivery.message_id, event.id, event.kind,
                 event.details["reasons"])
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = delivery.recipient
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = delivery.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"  # no out-of-office replies to an alert robot
    message["X-Vigie-Event"] = event.kind
    message["Content-Language"] = delivery.lang
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def record_sent(
    sessions: sessionmaker[Session], delivery_id: int, *, transport_name: str, location: str, now: datetime
) -> None:
    with session_scope(sessions) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.transport = transport_name
        delivery.location = location
        delivery.last_error = None


def record_failure(
    sessions: sessionmaker[Session],
    delivery_id: int,
    error: str,
    *,
    now: datetime,
    max_attempts: int,
    permanent: bool,
) -> str:
    """Count the attempt; returns the row's new status (pending: will be retried, or failed)."""
    with session_scope(sessions) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        delivery.last_error = " ".join(error.split())[:ERROR_MAX]
        if permanent or delivery.attempts >= max_attempts:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        log.warning("alerts: %s to %s: %s (%s)", delivery.message_id, delivery.recipient, delivery.last_error,
                    delivery.status)
        return delivery.status


def record_unreachable(sessions: sessionmaker[Session], delivery_id: int, error: str, *, now: datetime) -> str:
    """The server failed, not this message: the row is due again at once, its attempts untouched."""
    with session_scope(sessions) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.last_error = " ".join(error.split())[:ERROR_MAX]
        delivery.next_attempt_at = now
        return "deferred"


def failure_of(sessions: sessionmaker[Session], delivery_id: int) -> tuple[str, str]:
    with session_scope(sessions) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        return delivery.recipient, delivery.last_error or "failed"


def count_due(sessions: sessionmaker[Session], *, now: datetime) -> int:
    with session_scope(sessions) as session:
        return session.scalar(
            select(func.count())
            .select_from(AlertDelivery)
            .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
        ) or 0
