"""The per-day counts (marketplace_days): kept by the recorder in its own transaction, equal to a recount of the
snapshots and events at every step — after recording, after a failed batch, after retention, and when the
migration fills them in from rows stored before it."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from crawler.recorder import Recorder, RecorderConfig
from crawler.targets import CheckResult, CheckTarget
from detector.model import EventKind, Observation, Outcome
from store.db import session_scope
from store.migrate import alembic_config
from store.models import Account, Event, Listing, Snapshot
from store.models_daily import COUNTS, EVENT_KINDS, OUTCOMES, MarketplaceDay
from store.retention import prune_bodies

T0 = datetime(2026, 3, 8, 22, 0, tzinfo=UTC)  # a Sunday evening: a batch's checks fall on two UTC days


def _recount(session) -> dict[tuple, dict[str, int]]:
    """The days' counts as the snapshots and events say, counted here in Python."""
    days: defaultdict[tuple, Counter] = defaultdict(Counter)
    for at, outcome, account, marketplace in session.execute(
            select(Snapshot.fetched_at, Snapshot.outcome, Listing.account_id, Listing.marketplace).join(Listing)):
        counts = days[(at.astimezone(UTC).date(), account, marketplace)]
        counts["checks"] += 1
        counts[f"outcome_{outcome}"] += 1
    for at, kind, account, marketplace in session.execute(
            select(Event.detected_at, Event.kind, Listing.account_id, Listing.marketplace).join(Listing)):
        counts = days[(at.astimezone(UTC).date(), account, marketplace)]
        counts["events"] += 1
        counts[f"event_{kind}"] += 1
    return {key: {name: counts[name] for name in COUNTS} for key, counts in days.items()}


def _stored(session) -> dict[tuple, dict[str, int]]:
    return {(row.day, row.account_id, row.marketplace): {name: getattr(row, name) for name in COUNTS}
            for row in session.scalars(select(MarketplaceDay))}


def _world(sessions) -> tuple[list[int], list[int]]:
    """Two accounts; the first with an amazon and an ebay listing, the second with one amazon listing."""
    with session_scope(sessions) as session:
        accounts = [Account(name=f"shop-{n}", lang="fr", created_at=T0) for n in range(2)]
        session.add_all(accounts)
        session.flush()
        listings = [Listing(account_id=accounts[a].id, url=u, canonical_url=u, marketplace=m, created_at=T0,
                            next_check_at=T0, detector_state={})
                    for a, m, u in ((0, "amazon", "https://www.amazon.fr/dp/B0DAYS0001"),
                                    (0, "ebay", "https://www.ebay.fr/itm/123456789012"),
                                    (1, "amazon", "https://www.amazon.fr/dp/B0DAYS0002"))]
        session.add_all(listings)
        session.flush()
        return [a.id for a in accounts], [listing.id for listing in listings]


def _result(listing_id: int, outcome: Outcome, at: datetime, n: int) -> CheckResult:
    price = Decimal("10.00") + n if outcome is Outcome.LISTED else None  # a price change at every listed check
    return CheckResult(target=CheckTarget(listing_id=listing_id, url=f"https://x.example/{listing_id}",
                                          marketplace="generic"),
                       observation=Observation(outcome, price=price, currency="EUR" if price else None),
                       fetched_at=at, http_status=200, body=f"<html>{listing_id} {n}</html>".encode())


PLAN = [Outcome.LISTED, Outcome.LISTED, Outcome.BLOCKED, Outcome.GONE, Outcome.GONE, Outcome.ERROR, Outcome.LISTED]


def _record(sessions) -> list[int]:
    """The PLAN's checks of every listing, one batch an hour; the account ids."""
    accounts, ids = _world(sessions)
    recorder = Recorder(sessions, RecorderConfig(confirmations=2))
    for n, outcome in enumerate(PLAN):  # every hour: the batches cross midnight UTC
        at = T0 + timedelta(hours=n)
        recorder.record_many([_result(listing_id, outcome, at, n) for listing_id in ids])
    return accounts


def test_the_columns_are_the_detectors_outcomes_and_event_kinds():
    assert set(OUTCOMES) == {o.value for o in Outcome}
    assert set(EVENT_KINDS) == {k.value for k in EventKind}


def test_recording_checks_keeps_each_days_counts(sessions):
    accounts = _record(sessions)
    with session_scope(sessions) as session:
        stored, recounted = _stored(session), _recount(session)
    assert stored == recounted
    sunday, monday = T0.date(), T0.date() + timedelta(days=1)
    amazon_first = stored[(sunday, accounts[0], "amazon")]
    assert (amazon_first["checks"], amazon_first["outcome_listed"]) == (2, 2)  # 22:00 and 23:00 UTC
    later = stored[(monday, accounts[0], "amazon")]
    assert (later["checks"], later["outcome_blocked"], later["outcome_gone"], later["outcome_error"]) == (5, 1, 2, 1)
    assert later["event_delisted"] == 1 and later["event_restored"] == 1
    assert set(stored) == {(d, a, m) for d in (sunday, monday) for a, m in
                           ((accounts[0], "amazon"), (accounts[0], "ebay"), (accounts[1], "amazon"))}


def test_a_failed_batch_counts_nothing(sessions):
    _, ids = _world(sessions)
    recorder = Recorder(sessions, RecorderConfig())
    recorder.record(_result(ids[0], Outcome.LISTED, T0, 0))
    with pytest.raises(LookupError):  # one listing of the batch vanished: the whole batch is refused
        recorder.record_many([_result(ids[0], Outcome.LISTED, T0 + timedelta(hours=1), 1),
                              _result(10**6, Outcome.LISTED, T0 + timedelta(hours=1), 1)])
    with session_scope(sessions) as session:
        assert _stored(session) == _recount(session)
        assert sum(row["checks"] for row in _stored(session).values()) == 1


def test_retention_leaves_the_counts_of_the_checks_that_happened(sessions):
    """Pruning frees page bodies; the checks and events stay, and so do their counts."""
    _record(sessions)
    with session_scope(sessions) as session:
        before = _stored(session)
    report = prune_bodies(sessions, before=T0 + timedelta(days=30))
    assert report.blobs > 0  # bodies did go
    with session_scope(sessions) as session:
        assert _stored(session) == before == _recount(session)


def test_the_migration_fills_in_the_counts_of_rows_stored_before_it(sessions, engine):
    from alembic import command

    _record(sessions)
    with session_scope(sessions) as session:
        expected = _recount(session)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with session_scope(sessions) as session:
        assert _stored(session) == expected


def test_recorders_writing_at_once_add_up_without_deadlock(sessions):
    """Cluster nodes record at the same moment into the same days' rows: each upsert adds to what the others
    committed (no lost update), and rows taken in key order never deadlock."""
    from concurrent.futures import ThreadPoolExecutor

    with session_scope(sessions) as session:
        account = Account(name="busy", lang="fr", created_at=T0)
        session.add(account)
        session.flush()
        listings = [Listing(account_id=account.id, url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
                            marketplace=("amazon", "ebay")[n % 2], created_at=T0, next_check_at=T0, detector_state={})
                    for n in range(8)]
        session.add_all(listings)
        session.flush()
        ids = [listing.id for listing in listings]
    recorder = Recorder(sessions, RecorderConfig())

    def node(pair: tuple[int, int]) -> None:  # two listings per node, one per marketplace: both days' rows
        for n in range(10):
            at = T0 + timedelta(hours=2, minutes=n)  # Monday, the same day for everyone
            recorder.record_many([_result(listing_id, Outcome.BLOCKED, at, n) for listing_id in pair])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(node, [(ids[i], ids[i + 1]) for i in range(0, 8, 2)]))
    with session_scope(sessions) as session:
        stored = _stored(session)
        assert stored == _recount(session)
        assert [stored[(T0.date() + timedelta(days=1), account.id, m)]["outcome_blocked"] for m in ("amazon", "ebay")] \
            == [40, 40]
