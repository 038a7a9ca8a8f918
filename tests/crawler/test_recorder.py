"""The recorder: a batch of results is one transaction, chained and detected as if recorded one by one."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crawler.recorder import Recorder, RecorderConfig
from crawler.targets import CheckResult, CheckTarget
from detector.model import Observation, Outcome
from store import snapshots
from store.db import session_scope
from store.models import Account, AlertDelivery, Blob, Event, Listing, Recipient, Snapshot

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _listings(sessions, count: int) -> list[int]:
    with session_scope(sessions) as session:
        account = Account(name="shop", lang="fr", created_at=T0)
        session.add(account)
        session.flush()
        recipient = Recipient(account_id=account.id, email="shop@example.org")
        ids = []
        for n in range(count):
            listing = Listing(account_id=account.id, url=f"https://x.example/p/{n}",
                              canonical_url=f"https://x.example/p/{n}", marketplace="generic", created_at=T0,
                              next_check_at=T0, detector_state={})
            listing.recipients = [recipient]
            session.add(listing)
            session.flush()
            ids.append(listing.id)
        return ids


def _result(listing_id: int, outcome: Outcome, at: datetime, body: bytes = b"<html>same</html>") -> CheckResult:
    price = Decimal("10.00") if outcome is Outcome.LISTED else None
    return CheckResult(target=CheckTarget(listing_id=listing_id, url=f"https://x.example/p/{listing_id}",
                                          marketplace="generic"),
                       observation=Observation(outcome, price=price, currency="EUR" if price else None),
                       fetched_at=at, http_status=200, body=body)


def test_a_batch_chains_detects_and_queues_like_single_records(sessions):
    ids = _listings(sessions, 3)
    recorder = Recorder(sessions, RecorderConfig(confirmations=2))
    steps = [Outcome.LISTED, Outcome.GONE, Outcome.GONE]
    for n, outcome in enumerate(steps):
        at = T0 + timedelta(hours=n)
        # listing 1 goes through batches, listings 2 and 3 one by one, with the same observations
        batch = recorder.record_many([_result(ids[0], outcome, at), _result(ids[1], Outcome.LISTED, at)])
        assert [r.listing_id for r in batch] == ids[:2]
        recorder.record(_result(ids[2], outcome, at))
    with session_scope(sessions) as session:
        for listing_id in (ids[0], ids[2]):
            chain = snapshots.history(session, listing_id)
            assert [s.outcome for s in chain] == ["listed", "gone", "gone"]
            assert snapshots.verify_chain(chain) == []
            assert [e.kind for e in session.scalars(select(Event).where(Event.listing_id == listing_id))] == [
                "delisted"]
        assert session.scalar(select(func.count()).select_from(AlertDelivery)) == 2
        assert session.scalar(select(func.count()).select_from(Blob)) == 1  # the same body, stored once
        assert session.get(Listing, ids[0]).state == "gone"


def test_a_failing_batch_stores_nothing(sessions):
    ids = _listings(sessions, 1)
    recorder = Recorder(sessions, RecorderConfig())
    with pytest.raises(LookupError, match="vanished"):
        recorder.record_many([_result(ids[0], Outcome.LISTED, T0), _result(9999, Outcome.LISTED, T0)])
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 0
        assert session.scalar(select(func.count()).select_from(Blob)) == 0


def test_a_listings_price_rule_wins_over_its_accounts_and_the_accounts_over_the_default(sessions):
    ids = _listings(sessions, 2)
    recorder = Recorder(sessions, RecorderConfig(price_threshold=Decimal("0.10")))
    with session_scope(sessions) as session:
        own, plain = session.get(Listing, ids[0]), session.get(Listing, ids[1])
        assert recorder.policy_for(plain).price_threshold == Decimal("0.10")
        plain.account.price_threshold, plain.account.revert_is_glitch = Decimal("0.20"), False
        own.price_threshold, own.price_baseline = Decimal("0.05"), "median_7d"
        own_policy, plain_policy = recorder.policy_for(own), recorder.policy_for(plain)
    assert (own_policy.price_threshold, own_policy.baseline, own_policy.revert_is_glitch) == (
        Decimal("0.05"), "median_7d", False)
    assert (plain_policy.price_threshold, plain_policy.baseline, plain_policy.revert_is_glitch) == (
        Decimal("0.20"), "median_n", False)



def test_a_zero_threshold_is_a_rule_not_an_absence_of_one(sessions):
    [listing_id] = _listings(sessions, 1)
    with session_scope(sessions) as session:
        listing = session.get(Listing, listing_id)
        listing.account.price_threshold, listing.price_threshold = Decimal("0.20"), Decimal("0")
        policy = Recorder(sessions, RecorderConfig()).policy_for(listing)
    assert policy.price_threshold == Decimal("0")


def test_in_one_batch_each_event_names_its_own_snapshot_and_a_listing_seen_twice_chains_on(sessions):
    """Snapshots go in with one INSERT … RETURNING: the ids must come back in the order the rows were given,
    and a listing checked twice in one batch must start its second detection from its first."""
    ids = _listings(sessions, 3)
    recorder = Recorder(sessions, RecorderConfig(confirmations=2))
    recorder.record_many([_result(n, Outcome.LISTED, T0) for n in ids])
    at = T0 + timedelta(hours=1)
    batch = recorder.record_many([_result(ids[0], Outcome.LISTED, at), _result(ids[1], Outcome.GONE, at),
                                  _result(ids[2], Outcome.LISTED, at), _result(ids[1], Outcome.GONE, at)])
    assert [r.events for r in batch] == [(), (), (), ("delisted",)]
    with session_scope(sessions) as session:
        event = session.scalars(select(Event)).one()
        snapshot = session.get(Snapshot, event.snapshot_id)
        assert (snapshot.listing_id, snapshot.seq, snapshot.outcome) == (ids[1], 3, "gone")
        assert snapshot.id == batch[3].snapshot_id
        for recorded in batch:
            assert session.get(Snapshot, recorded.snapshot_id).listing_id == recorded.listing_id
        assert snapshots.verify_chain(snapshots.history(session, ids[1])) == []
        assert session.get(Listing, ids[1]).state == "gone" and session.get(Listing, ids[0]).state == "listed"
