"""The outbox gets one row per (event, recipient), once, in the right language."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from alerts.outbox import enqueue, message_id
from store.db import session_scope
from store.models import AlertDelivery, Event, Recipient
from tests.alerts.rows import T0, add_event, make_world


def deliveries(sessions) -> list[AlertDelivery]:
    with session_scope(sessions) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.recipient)))


def run_enqueue(sessions, event_id: int, default_lang: str = "fr") -> list[str]:
    with session_scope(sessions) as session:
        rows = enqueue(session, session.get(Event, event_id), now=T0, default_lang=default_lang)
        return [row.recipient for row in rows]


def test_listing_recipients_get_one_pending_row_each(sessions):
    world = make_world(sessions, account_emails=("owner@example.com",), listing_emails=("a@example.com", "b@example.com"))
    event_id = add_event(sessions, world.listing_id)
    assert sorted(run_enqueue(sessions, event_id)) == ["a@example.com", "b@example.com"]
    rows = deliveries(sessions)
    assert [row.recipient for row in rows] == ["a@example.com", "b@example.com"]
    for row in rows:
        assert row.status == "pending"
        assert row.attempts == 0
        assert row.next_attempt_at == T0
        assert row.event_id == event_id
        digest = hashlib.sha256(row.recipient.lower().encode()).hexdigest()[:16]
        assert row.message_id == f"<event-{event_id}.{digest}@vigie.local>"


def test_listing_without_recipients_falls_back_to_the_account(sessions):
    world = make_world(sessions, account_emails=("owner@example.com", "boss@example.com"), listing_emails=())
    event_id = add_event(sessions, world.listing_id)
    assert sorted(run_enqueue(sessions, event_id)) == ["boss@example.com", "owner@example.com"]


def test_enqueueing_twice_creates_nothing_more(sessions):
    world = make_world(sessions, listing_emails=("a@example.com",))
    event_id = add_event(sessions, world.listing_id)
    assert run_enqueue(sessions, event_id) == ["a@example.com"]
    assert run_enqueue(sessions, event_id) == []
    assert len(deliveries(sessions)) == 1


def test_enqueue_again_in_the_same_transaction_is_also_idempotent(sessions):
    world = make_world(sessions, listing_emails=("a@example.com",))
    event_id = add_event(sessions, world.listing_id)
    with session_scope(sessions) as session:
        event = session.get(Event, event_id)
        assert len(enqueue(session, event, now=T0, default_lang="fr")) == 1
        assert enqueue(session, event, now=T0, default_lang="fr") == []
    assert len(deliveries(sessions)) == 1


def test_message_id_is_stable_and_case_insensitive():
    assert message_id(5, "Owner@Example.COM") == message_id(5, "owner@example.com")
    assert message_id(5, "owner@example.com") != message_id(6, "owner@example.com")
    assert message_id(5, "owner@example.com") != message_id(5, "other@example.com")


def test_language_is_recipient_then_account(sessions):
    world = make_world(sessions, account_emails=("fr@example.com", "en@example.com"), account_lang="fr")
    with session_scope(sessions) as session:
        english = session.scalars(select(Recipient).where(Recipient.email == "en@example.com")).one()
        english.lang = "en"
    event_id = add_event(sessions, world.listing_id)
    run_enqueue(sessions, event_id, default_lang="fr")
    assert {row.recipient: row.lang for row in deliveries(sessions)} == {"en@example.com": "en", "fr@example.com": "fr"}


def test_account_language_applies_when_recipient_has_none(sessions):
    world = make_world(sessions, account_emails=("a@example.com",), account_lang="en")
    run_enqueue(sessions, add_event(sessions, world.listing_id), default_lang="fr")
    assert [row.lang for row in deliveries(sessions)] == ["en"]


def test_monitoring_blocked_is_not_sent_to_sellers(sessions):
    world = make_world(sessions, listing_emails=("a@example.com",))
    event_id = add_event(sessions, world.listing_id, kind="monitoring_blocked", before=None, after=None)
    assert run_enqueue(sessions, event_id) == []
    assert deliveries(sessions) == []


def test_two_events_for_one_person_get_different_message_ids(sessions):
    world = make_world(sessions, listing_emails=("a@example.com",))
    first = add_event(sessions, world.listing_id)
    second = add_event(sessions, world.listing_id, kind="restored", before="gone", after="listed")
    run_enqueue(sessions, first)
    run_enqueue(sessions, second)
    ids = [row.message_id for row in deliveries(sessions)]
    assert len(ids) == len(set(ids)) == 2
