"""The service's parts without the service: scheduling, politeness, status, operator email, digest, retention."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from alerts.digest import hold_for_digest, last_boundary, send_due_digests
from alerts.operator import notify_blocked_marketplaces
from alerts.outbox import enqueue
from alerts.transport import transport_from_url
from crawler.politeness import pushed_back, retry_after_seconds
from crawler.scheduling import due_batch, spread_overdue
from store import blobs, snapshots
from store.db import session_scope
from store.models import Account, AlertDelivery, Blob, Event, Listing, Recipient, Snapshot
from store.retention import prune_bodies
from store.status import marketplace_status
from vigie.settings import SettingsError, load

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _listings(sessions, count: int, *, marketplace="generic", due=T0, every=3600, mode="immediate") -> list[int]:
    with session_scope(sessions) as session:
        account = Account(name=f"a-{marketplace}-{mode}", lang="en", alert_mode=mode, created_at=T0)
        account.recipients = [Recipient(email="seller@example.org")]
        session.add(account)
        session.flush()
        ids = []
        for i in range(count):
            listing = Listing(account_id=account.id, url=f"https://{marketplace}.test/p/{i}",
                              canonical_url=f"https://{marketplace}.test/p/{i}", marketplace=marketplace,
                              every_seconds=every, created_at=T0, next_check_at=due, detector_state={})
            session.add(listing)
            session.flush()
            ids.append(listing.id)
        return ids


def _snap(session, listing_id, when, outcome="listed", body=b"<html>same</html>"):
    sha = blobs.put(session, body, media_type="text/html", now=when) if body else None
    # every chained field given, as the Recorder does (column defaults only apply at INSERT)
    return snapshots.append(session, listing_id, fetched_at=when, requested_url="https://x.test/", final_url=None,
                            http_status=200, fetch_method="http", elapsed_ms=5, headers={}, outcome=outcome,
                            price=None, currency=None, shipping_fee=None, seller=None, title=None, availability=None,
                            offers=[], reasons=[], body_sha256=sha, screenshot_sha256=None)


def test_due_batch_skips_busy_and_respects_room(sessions):
    ids = _listings(sessions, 5) + _listings(sessions, 2, marketplace="amazon", due=T0 + timedelta(hours=2))
    with session_scope(sessions) as session:
        batch = due_batch(session, now=T0, busy={ids[0]}, room={"generic": 3}, default_room=1)
    assert [t.listing_id for t, _ in batch] == ids[1:4]
    assert all(due == T0 for _, due in batch)


def test_overdue_listings_are_spread_not_fired_together(sessions):
    _listings(sessions, 10, due=T0 - timedelta(hours=3))
    with session_scope(sessions) as session:
        assert spread_overdue(session, now=T0, window=timedelta(minutes=10)) == 10
        times = sorted(session.scalars(select(Listing.next_check_at)))
    assert times[0] == T0 and times[-1] == T0 + timedelta(minutes=9)
    assert len(set(times)) == 10


def test_retry_after_and_walls():
    assert retry_after_seconds("120", now=T0) == 120
    assert retry_after_seconds("Mon, 02 Mar 2026 12:01:00 GMT", now=T0) == 60
    assert retry_after_seconds("soon", now=T0) is None
    wall = HtmlResponse("https://x.test/", body=b'<div id="px-captcha"></div>Press &amp; Hold', status=200)
    assert pushed_back(wall)
    assert pushed_back(HtmlResponse("https://x.test/", body=b"busy", status=429))
    assert not pushed_back(HtmlResponse("https://x.test/", body=b"<h1>Chaise</h1>", status=200))


def test_settings_of_the_service():
    settings = load({"VIGIE_DATA_DIR": "/tmp/v", "VIGIE_RECHECK_DELAY": "3m", "VIGIE_TICK": "1s"})
    assert settings.recheck_delay == timedelta(minutes=3) and settings.tick == timedelta(seconds=1)
    assert settings.obey_robots is True
    assert load({"VIGIE_DATA_DIR": "/tmp/v", "VIGIE_OBEY_ROBOTS": "0"}).obey_robots is False
    with pytest.raises(SettingsError, match="VIGIE_RECHECK_DELAY"):
        load({"VIGIE_DATA_DIR": "/tmp/v", "VIGIE_RECHECK_DELAY": "soon"})


def test_status_counts_rates_and_overdue(sessions):
    ids = _listings(sessions, 4, due=T0 - timedelta(minutes=5))
    with session_scope(sessions) as session:
        for i, outcome in enumerate(["listed", "blocked", "blocked", "error"]):
            _snap(session, ids[i], T0 - timedelta(minutes=10), outcome)
        _snap(session, ids[0], T0 - timedelta(hours=3), "blocked")  # outside the hour
        [row] = marketplace_status(session, now=T0)
    assert (row.marketplace, row.listings, row.checks_last_hour) == ("generic", 4, 4)
    assert (row.blocked_rate, row.error_rate, row.overdue_seconds) == (0.5, 0.25, 300)


def test_operator_is_emailed_once_per_blocking_episode(sessions, tmp_path):
    ids = _listings(sessions, 2, marketplace="amazon")
    with session_scope(sessions) as session:
        _snap(session, ids[0], T0 - timedelta(hours=3), "listed")
        for minutes in (150, 100, 30):
            _snap(session, ids[1], T0 - timedelta(minutes=minutes), "blocked")
    with SmtpCatcher() as smtp:
        transport = transport_from_url(smtp.url, outbox_dir=tmp_path)
        for tick in range(3):
            notify_blocked_marketplaces(sessions, transport, now=T0 + timedelta(minutes=tick), mail_from="v@x.test",
                                        operator="ops@example.org", after=timedelta(hours=1), lang="en")
        assert len(smtp.messages) == 1
        assert smtp.envelope_recipients == [["ops@example.org"]]
        assert "amazon" in smtp.messages[0]["Subject"]
        with session_scope(sessions) as session:  # it recovers, then is blocked again: a new episode
            _snap(session, ids[0], T0 + timedelta(minutes=5), "listed")
            _snap(session, ids[0], T0 + timedelta(minutes=10), "blocked")
        notify_blocked_marketplaces(sessions, transport, now=T0 + timedelta(minutes=30), mail_from="v@x.test",
                                    operator="ops@example.org", after=timedelta(hours=1))
        assert len(smtp.messages) == 1  # not yet longer than the threshold
        notify_blocked_marketplaces(sessions, transport, now=T0 + timedelta(hours=2), mail_from="v@x.test",
                                    operator="ops@example.org", after=timedelta(hours=1))
        assert len(smtp.messages) == 2


def test_digest_holds_minor_events_and_sends_one_email_a_day(sessions, tmp_path):
    [listing_id] = _listings(sessions, 1, mode="digest")
    with session_scope(sessions) as session:
        snap = _snap(session, listing_id, T0)
        for kind in ("price_change", "unavailable", "delisted"):
            event = Event(listing_id=listing_id, snapshot_id=snap.id, kind=kind, detected_at=T0,
                          before="20.00", after="25.00", details={"currency": "EUR"})
            session.add(event)
            session.flush()
            enqueue(session, event, now=T0, default_lang="en")
    assert hold_for_digest(sessions, now=T0) == 2
    with session_scope(sessions) as session:
        statuses = dict(session.execute(select(Event.kind, AlertDelivery.status).join(Event)).all())
    assert statuses == {"price_change": "digest", "unavailable": "digest", "delisted": "pending"}
    assert last_boundary(T0, 7) == T0.replace(hour=7)
    with SmtpCatcher() as smtp:
        transport = transport_from_url(smtp.url, outbox_dir=tmp_path)
        assert send_due_digests(sessions, transport, now=T0 + timedelta(hours=1), mail_from="v@x.test", hour=7) == 0
        next_day = T0 + timedelta(days=1)
        assert send_due_digests(sessions, transport, now=next_day, mail_from="v@x.test", hour=7) == 1
        assert send_due_digests(sessions, transport, now=next_day, mail_from="v@x.test", hour=7) == 0
        [message] = smtp.messages
        assert message["X-Vigie-Event"] == "digest" and "2 change" in message["Subject"]


def test_prune_keeps_evidence_and_shared_bodies(sessions):
    [listing_id] = _listings(sessions, 1)
    old = T0 - timedelta(days=40)
    with session_scope(sessions) as session:
        s1 = _snap(session, listing_id, old, body=b"one")
        _snap(session, listing_id, old + timedelta(hours=1), body=b"two")  # before the event: evidence
        s3 = _snap(session, listing_id, old + timedelta(hours=2), "gone", body=b"three")  # the event's
        _snap(session, listing_id, old + timedelta(hours=3), "gone", body=b"shared")
        _snap(session, listing_id, T0, "gone", body=b"shared")  # recent: keeps the shared body
        session.add(Event(listing_id=listing_id, snapshot_id=s3.id, kind="delisted", detected_at=s3.fetched_at))
    report = prune_bodies(sessions, before=T0 - timedelta(days=30))
    assert (report.blobs, report.snapshots, report.kept_as_evidence) == (1, 1, 2)
    with session_scope(sessions) as session:
        pruned = {b.sha256 for b in session.scalars(select(Blob).where(Blob.compression == "pruned"))}
        assert pruned == {s1.body_sha256}
        assert blobs.get(session, s3.body_sha256) == b"three"
        history = snapshots.history(session, listing_id)
        assert len(history) == 5 and snapshots.verify_chain(history) == []
    assert prune_bodies(sessions, before=T0 - timedelta(days=30)).blobs == 0


def test_every_goes_below_5_minutes_only_for_local_testing():
    from vigie.registration import NewListing, RegistrationError, validate

    public = [(2, 1, 6, "", ("93.184.215.14", 443))]  # a getaddrinfo answer: a public address
    local = validate(NewListing(url="http://127.0.0.1:8000/p/1", every="30s"), allow_private=True)
    assert local.every == timedelta(seconds=30)  # VIGIE_ALLOW_PRIVATE_HOSTS=1: testing on this machine
    with pytest.raises(RegistrationError, match="the minimum is 1s"):
        validate(NewListing(url="http://127.0.0.1:8000/p/1", every="0s"), allow_private=True)
    with pytest.raises(RegistrationError, match="the minimum is 5m"):
        validate(NewListing(url="https://shop.example/p/1", every="30s"), allow_private=False,
                 resolve=lambda *args, **kwargs: public)
