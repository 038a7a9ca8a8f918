"""The outbox against a real SMTP server on loopback: each alert once, retried until it gets through."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from alerts.outbox import enqueue
from alerts.sender import backoff, deliver_pending
from alerts.transport import transport_from_url
from store.db import session_scope
from store.models import AlertDelivery, Event
from tests.alerts.rows import T0, add_event, make_world

FROM = "Vigie <vigie@example.org>"


def outbox_with(sessions, *emails: str, kind: str = "delisted") -> int:
    world = make_world(sessions, account_emails=(), listing_emails=emails)
    event_id = add_event(sessions, world.listing_id, kind=kind)
    with session_scope(sessions) as session:
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="fr")
    return event_id


def rows(sessions) -> dict[str, AlertDelivery]:
    with session_scope(sessions) as session:
        return {row.recipient: row for row in session.scalars(select(AlertDelivery))}


def smtp(url: str, tmp_path: Path, **kwargs):
    return transport_from_url(url, outbox_dir=tmp_path / "unused", **kwargs)


def test_one_message_per_recipient_with_the_stable_message_id(sessions, tmp_path):
    event_id = outbox_with(sessions, "a@example.com", "b@example.com")
    with SmtpCatcher() as catcher:
        report = deliver_pending(sessions, smtp(catcher.url, tmp_path), now=T0, mail_from=FROM)
        messages = catcher.wait_for(2)
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    by_to = {str(m["To"]): m for m in messages}
    assert set(by_to) == {"a@example.com", "b@example.com"}
    stored = rows(sessions)
    for address, message in by_to.items():
        assert message["Message-ID"] == stored[address].message_id
        assert message["Message-ID"].startswith(f"<event-{event_id}.")
        assert message["From"] == FROM
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Vigie-Event"] == "delisted"
        assert "Votre annonce a été retirée" in message["Subject"]
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "https://www.example.fr/produit/42?ref=a&b=1" in text
        assert "Chaise en chêne" in html
        assert stored[address].status == "sent"
        assert stored[address].sent_at == T0
        assert stored[address].transport == "smtp"
        assert stored[address].location == catcher.url
        assert stored[address].attempts == 0


def test_a_second_pass_sends_nothing_more(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher() as catcher:
        transport = smtp(catcher.url, tmp_path)
        assert deliver_pending(sessions, transport, now=T0, mail_from=FROM).sent == 1
        catcher.wait_for(1)
        later = deliver_pending(sessions, transport, now=T0 + timedelta(days=1), mail_from=FROM)
        assert (later.sent, later.retried, later.failed) == (0, 0, 0)
        with pytest.raises(TimeoutError):
            catcher.wait_for(2, timeout=0.3)


def test_rows_not_yet_due_wait(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher() as catcher:
        report = deliver_pending(sessions, smtp(catcher.url, tmp_path), now=T0 - timedelta(seconds=1), mail_from=FROM)
    assert report.sent == 0
    assert rows(sessions)["a@example.com"].status == "pending"


def test_server_down_then_back_delivers_exactly_once_without_using_up_attempts(sessions, tmp_path):
    outbox_with(sessions, "a@example.com", "b@example.com")
    catcher = SmtpCatcher().start()
    url = catcher.url
    catcher.stop()  # connection refused from now on, same port when it comes back
    transport = smtp(url + "?timeout=5", tmp_path)

    for hours in range(0, 48, 6):  # down for two days: one try a pass, and the rows stay as they were
        down = deliver_pending(sessions, transport, now=T0 + timedelta(hours=hours), mail_from=FROM)
        assert (down.sent, down.retried, down.failed, down.deferred) == (0, 0, 0, 2)
        assert "unreachable" in down.problem and "\n" not in down.problem
    stored = rows(sessions).values()
    assert {(row.status, row.attempts) for row in stored} == {("pending", 0)}
    assert all("unreachable" in row.last_error for row in stored)  # the rows take turns at the one try
    # due again at once after each try, not hours later
    assert max(row.next_attempt_at for row in stored) == T0 + timedelta(hours=42)

    catcher.start()
    try:
        assert catcher.url == url
        back = deliver_pending(sessions, transport, now=T0 + timedelta(hours=42, seconds=1), mail_from=FROM)
        assert back.sent == 2
        again = deliver_pending(sessions, transport, now=T0 + timedelta(days=3), mail_from=FROM)
        assert again.sent == 0
        messages = catcher.wait_for(2)
    finally:
        catcher.stop()
    assert sorted(str(m["To"]) for m in messages) == ["a@example.com", "b@example.com"]
    assert len(catcher.messages) == 2
    assert all(row.status == "sent" for row in rows(sessions).values())


def test_a_claim_lasts_as_long_as_one_send_can_take(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher() as catcher:
        transport = smtp(catcher.url + "?timeout=3", tmp_path)
        assert transport.lease == timedelta(seconds=30)
        with session_scope(sessions) as session:  # a sender that claimed the row, then died
            session.get(AlertDelivery, rows(sessions)["a@example.com"].id).next_attempt_at = T0 + transport.lease
        assert deliver_pending(sessions, transport, now=T0 + timedelta(seconds=29), mail_from=FROM).sent == 0
        assert deliver_pending(sessions, transport, now=T0 + timedelta(seconds=30), mail_from=FROM).sent == 1


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == timedelta(hours=6)


def test_repeated_failures_end_in_failed_after_max_attempts(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(refusals={"a@example.com": "452 4.2.2 Mailbox full"}) as catcher:
        transport = smtp(catcher.url, tmp_path)
        now = T0
        for attempt in range(1, 4):
            report = deliver_pending(sessions, transport, now=now, mail_from=FROM, max_attempts=3)
            row = rows(sessions)["a@example.com"]
            assert row.attempts == attempt
            now = row.next_attempt_at
        assert (report.retried, report.failed) == (0, 1)
        assert row.status == "failed"
        later = deliver_pending(sessions, transport, now=now + timedelta(days=1), mail_from=FROM, max_attempts=3)
        assert later.failed == 0


def test_permanent_refusal_fails_at_once_and_others_still_go(sessions, tmp_path):
    outbox_with(sessions, "nobody@example.com", "a@example.com")
    with SmtpCatcher(refusals={"nobody@example.com": "550 5.1.1 No such user"}) as catcher:
        report = deliver_pending(sessions, smtp(catcher.url, tmp_path), now=T0, mail_from=FROM)
        catcher.wait_for(1)
    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    refused = rows(sessions)["nobody@example.com"]
    assert refused.status == "failed"
    assert refused.attempts == 1
    assert "550" in refused.last_error
    assert report.failures == (("nobody@example.com", refused.last_error),)  # who, and why, for the CLI to say
    assert [str(m["To"]) for m in catcher.messages] == ["a@example.com"]


def test_temporary_refusal_is_retried(sessions, tmp_path):
    outbox_with(sessions, "busy@example.com")
    with SmtpCatcher(refusals={"busy@example.com": "451 4.2.0 Mailbox busy, try later"}) as catcher:
        transport = smtp(catcher.url, tmp_path)
        first = deliver_pending(sessions, transport, now=T0, mail_from=FROM)
        assert (first.retried, first.failed) == (1, 0)
        assert rows(sessions)["busy@example.com"].status == "pending"
        catcher.refusals.clear()
        second = deliver_pending(sessions, transport, now=T0 + timedelta(seconds=60), mail_from=FROM)
        assert second.sent == 1
        assert len(catcher.wait_for(1)) == 1


def test_login_with_url_decoded_credentials(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(credentials=("alerts@example.org", "p@ss:word/1")) as catcher:
        url = catcher.url.replace("smtp://", "smtp://alerts%40example.org:p%40ss%3Aword%2F1@")
        report = deliver_pending(sessions, smtp(url, tmp_path), now=T0, mail_from=FROM)
        assert report.sent == 1
        assert len(catcher.wait_for(1)) == 1


def test_missing_or_wrong_credentials_are_retried_not_sent(sessions, tmp_path):
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(credentials=("user", "right")) as catcher:
        wrong = catcher.url.replace("smtp://", "smtp://user:wrong@")
        for day, url in enumerate((catcher.url, wrong)):
            report = deliver_pending(sessions, smtp(url, tmp_path), now=T0 + timedelta(days=day), mail_from=FROM)
            assert (report.sent, report.retried, report.deferred) == (0, 0, 1)
            assert "refused" in report.problem and "Authentication" in report.problem
        assert catcher.messages == []
    row = rows(sessions)["a@example.com"]
    # a login problem is the server's, not the message's: the alert keeps its attempts for when it is fixed
    assert (row.status, row.attempts) == ("pending", 0) and ("530" in row.last_error or "535" in row.last_error)


def test_starttls(sessions, tmp_path, tls_contexts):
    server_context, client_context = tls_contexts
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(tls_context=server_context, credentials=("u", "p")) as catcher:
        url = catcher.url.replace("smtp://", "smtp://u:p@") + "?starttls=true"
        report = deliver_pending(sessions, smtp(url, tmp_path, ssl_context=client_context), now=T0, mail_from=FROM)
        assert report.sent == 1
        assert len(catcher.wait_for(1)) == 1


def test_implicit_tls(sessions, tmp_path, tls_contexts):
    server_context, client_context = tls_contexts
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(tls_context=server_context, implicit_tls=True) as catcher:
        assert catcher.url.startswith("smtps://")
        report = deliver_pending(sessions, smtp(catcher.url, tmp_path, ssl_context=client_context), now=T0, mail_from=FROM)
        assert report.sent == 1
        assert len(catcher.wait_for(1)) == 1


def test_untrusted_certificate_is_not_accepted(sessions, tmp_path, tls_contexts):
    server_context, _ = tls_contexts
    outbox_with(sessions, "a@example.com")
    with SmtpCatcher(tls_context=server_context, implicit_tls=True) as catcher:
        report = deliver_pending(sessions, smtp(catcher.url, tmp_path), now=T0, mail_from=FROM)
        assert (report.sent, report.retried, report.deferred) == (0, 0, 1)
        assert "CERTIFICATE_VERIFY_FAILED" in report.problem
        assert catcher.messages == []


def test_eml_outbox_writes_one_parseable_file_per_message(sessions, tmp_path):
    event_id = outbox_with(sessions, "a@example.com", "b@example.com")
    outbox = tmp_path / "outbox"
    transport = transport_from_url(None, outbox_dir=outbox)
    report = deliver_pending(sessions, transport, now=T0, mail_from=FROM)
    assert report.sent == 2
    files = sorted(outbox.glob("*.eml"))
    assert sorted(report.locations) == [str(f) for f in files]
    stored = rows(sessions)
    for file in files:
        assert file.name.startswith(f"20250314T093000Z-event-{event_id}-")
        message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        row = stored[str(message["To"])]
        assert message["Message-ID"] == row.message_id
        assert row.location == str(file)
        assert row.transport == "eml"
    assert not list(outbox.glob(".tmp-*"))
