"""SMTP URLs, the .eml outbox, and the crash and concurrency promises of the sender."""
from __future__ import annotations

import email
import email.policy
import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from alerts import sender
from alerts.catcher import SmtpCatcher
from alerts.outbox import enqueue
from alerts.sender import deliver_pending
from alerts.transport import EmlTransport, SmtpTransport, transport_from_url
from store.db import session_scope
from store.models import AlertDelivery, Event
from tests.alerts.rows import T0, add_event, make_world

FROM = "vigie@example.org"


@pytest.mark.parametrize(
    "url,description,fields",
    [
        ("smtp://mail.example.com", "SMTP mail.example.com:25", {"port": 25, "starttls": False, "implicit_tls": False}),
        (
            "smtp://bob:s%3Acret@mail.example.com:587?starttls=true",
            "SMTP mail.example.com:587 (STARTTLS) as bob",
            {"port": 587, "starttls": True, "username": "bob", "password": "s:cret"},
        ),
        ("smtp://mail.example.com?starttls=1", "SMTP mail.example.com:587 (STARTTLS)", {"port": 587}),
        ("smtps://a%40b.fr:pw@mail.example.com", "SMTP mail.example.com:465 (TLS) as a@b.fr", {"implicit_tls": True, "port": 465, "username": "a@b.fr"}),
        ("smtp://mail.example.com:2525?timeout=7.5", "SMTP mail.example.com:2525", {"timeout": 7.5, "username": None}),
    ],
)
def test_smtp_urls(url, description, fields, tmp_path):
    transport = transport_from_url(url, outbox_dir=tmp_path)
    assert isinstance(transport, SmtpTransport)
    assert transport.describe() == description
    for name, value in fields.items():
        assert getattr(transport, name) == value


def test_password_never_in_description(tmp_path):
    assert "hunter2" not in transport_from_url("smtp://u:hunter2@h:25", outbox_dir=tmp_path).describe()


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.com", "smtp://", "smtp://h:notaport", "smtp://h?starttls=maybe", "smtp://h?timeout=soon",
     "smtp://h?timeout=0", "smtps://h?starttls=true", "smtp://h?tls=true"],
)
def test_bad_smtp_urls_are_refused_with_a_message(url, tmp_path):
    with pytest.raises(ValueError, match="SMTP URL"):
        transport_from_url(url, outbox_dir=tmp_path)


@pytest.mark.parametrize("url", [None, "", "  "])
def test_no_url_means_eml_files(url, tmp_path):
    transport = transport_from_url(url, outbox_dir=tmp_path / "outbox")
    assert isinstance(transport, EmlTransport)
    assert transport.describe() == f"files in {tmp_path / 'outbox'}"


def message(date: str, body: str, message_id: str = "<event-9.0123456789abcdef@vigie.local>") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = FROM
    msg["To"] = "a@example.com"
    msg["Subject"] = "Votre annonce a été retirée"
    msg["Date"] = date
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg


def test_eml_retry_replaces_the_same_file(tmp_path):
    transport = EmlTransport(tmp_path / "outbox")
    first = transport.send(message("Fri, 14 Mar 2025 10:30:00 +0100", "first try"))
    second = transport.send(message("Fri, 14 Mar 2025 11:45:00 +0100", "second try"))
    assert first == second
    files = list((tmp_path / "outbox").iterdir())
    assert [f.name for f in files] == ["20250314T093000Z-event-9-0123456789abcdef.eml"]
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed.get_content().strip() == "second try"
    assert parsed["Subject"] == "Votre annonce a été retirée"


def test_eml_other_messages_get_their_own_files(tmp_path):
    transport = EmlTransport(tmp_path)
    transport.send(message("Fri, 14 Mar 2025 10:30:00 +0100", "x"))
    transport.send(message("Fri, 14 Mar 2025 10:30:00 +0100", "y", "<event-9.fedcba9876543210@vigie.local>"))
    transport.send(message("Fri, 14 Mar 2025 10:30:00 +0100", "z", "<anything@else>"))
    assert len(list(tmp_path.glob("*.eml"))) == 3


def enqueue_one(sessions, *emails: str) -> None:
    world = make_world(sessions, account_emails=(), listing_emails=emails)
    event_id = add_event(sessions, world.listing_id)
    with session_scope(sessions) as session:
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="fr")


def test_crash_after_sending_resends_once_with_the_same_id(sessions, tmp_path, monkeypatch):
    """Never lost: a crash before the row is marked sent leads to one resend, after the lease."""
    enqueue_one(sessions, "a@example.com")
    outbox = tmp_path / "outbox"
    transport = EmlTransport(outbox)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed between send and commit")

    with monkeypatch.context() as patch:
        patch.setattr(sender, "record_sent", crash)
        with pytest.raises(KeyboardInterrupt):
            deliver_pending(sessions, transport, now=T0, mail_from=FROM)
    assert len(list(outbox.glob("*.eml"))) == 1
    with session_scope(sessions) as session:
        row = session.scalars(select(AlertDelivery)).one()
    assert row.status == "pending"
    lease = transport.lease
    assert deliver_pending(sessions, transport, now=T0 + lease - timedelta(seconds=1), mail_from=FROM).sent == 0
    assert deliver_pending(sessions, transport, now=T0 + lease, mail_from=FROM).sent == 1
    assert len(list(outbox.glob("*.eml"))) == 1  # the resend replaced the first file


def test_two_senders_at_once_send_each_message_once(sessions, tmp_path):
    enqueue_one(sessions, *(f"r{n}@example.com" for n in range(12)))
    with SmtpCatcher() as catcher:
        reports = []

        def run() -> None:
            transport = transport_from_url(catcher.url, outbox_dir=tmp_path)
            reports.append(deliver_pending(sessions, transport, now=T0, mail_from=FROM))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        catcher.wait_for(12)
        ids = [m["Message-ID"] for m in catcher.messages]
    assert len(ids) == len(set(ids)) == 12
    assert sum(report.sent for report in reports) == 12
