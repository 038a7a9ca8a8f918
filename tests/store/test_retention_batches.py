"""Retention beyond the databases' bound-parameter limits (65,535 on PostgreSQL, 32,766 on SQLite): bounded
batches keyed on the blobs, evidence found by subqueries, never by a list of ids sent from Python."""
from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, select, text

from store.db import session_scope
from store.models import Account, Blob, Listing
from store.retention import prune_bodies
from store.types import UTCDateTime

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OLD = T0 - timedelta(days=40)
LISTINGS, PER_LISTING, OLD_SEQS = 1200, 100, 90  # 120,000 snapshots; 39,600 events; 79,200 evidence snapshots


def _fill(sessions) -> None:
    """Listings, one blob per snapshot, events on every third snapshot; inserted by the database itself."""
    with session_scope(sessions) as session:
        account = Account(name="big", lang="fr", created_at=T0)
        session.add(account)
        session.flush()
        session.execute(Listing.__table__.insert(), [
            {"account_id": account.id, "kind": "listing", "url": f"https://x.test/p/{i}",
             "canonical_url": f"https://x.test/p/{i}", "marketplace": "generic", "every_seconds": 3600,
             "browser": False, "active": True, "detector_state": {}, "created_at": T0, "next_check_at": T0}
            for i in range(LISTINGS)])
        first = session.scalar(select(func.min(Listing.id)))
        postgres = session.bind.dialect.name == "postgresql"
        digest = "lpad(CAST(n AS TEXT), 64, '0')" if postgres else "printf('%064d', n)"
        last = LISTINGS * PER_LISTING - 1
        numbers = f"WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {last})"
        stamps = {"old": OLD, "new": T0}
        session.execute(text(
            f"{numbers} INSERT INTO blobs (sha256, size, media_type, compression, data, created_at) "
            f"SELECT {digest}, 4, 'text/html', 'zlib', :data, :old FROM g"
        ).bindparams(bindparam("old", type_=UTCDateTime())), {"data": zlib.compress(b"page"), "old": OLD})
        session.execute(text(
            f"{numbers} INSERT INTO snapshots (listing_id, seq, fetched_at, requested_url, fetch_method, headers, "
            f"outcome, offers, reasons, body_sha256, chain_hash) "
            f"SELECT :first + n / {PER_LISTING}, n % {PER_LISTING} + 1, "
            f"CASE WHEN n % {PER_LISTING} + 1 <= {OLD_SEQS} THEN :old ELSE :new END, 'https://x.test/', 'http', "
            f"'{{}}', 'listed', '[]', '[]', {digest}, {digest} FROM g"
        ).bindparams(bindparam("old", type_=UTCDateTime()), bindparam("new", type_=UTCDateTime())),
            {"first": first, **stamps})
        session.execute(text(
            "INSERT INTO events (listing_id, snapshot_id, kind, detected_at, details) "
            "SELECT listing_id, id, 'price_change', fetched_at, '{}' FROM snapshots WHERE seq % 3 = 0"))


def _pruned_by_seq(sessions) -> dict[str, int]:
    with session_scope(sessions) as session:
        rows = session.execute(text(
            "SELECT CASE WHEN s.seq > :old_seqs THEN 'recent' WHEN s.seq % 3 = 1 THEN 'plain' ELSE 'evidence' END "
            "AS kind, count(*) FROM snapshots s JOIN blobs b ON b.sha256 = s.body_sha256 "
            "WHERE b.compression = 'pruned' GROUP BY 1"), {"old_seqs": OLD_SEQS})
        return dict(rows.all())


class Interrupted(Exception):
    pass


class StopAfter:
    """A progress reporter that interrupts the run after `batches` batches (a Ctrl-C, a lost connection)."""

    def __init__(self, batches: int):
        self.batches, self.total = batches, None

    def add_task(self, _what, total):
        self.total = total

    def advance(self, _task, _count):
        self.batches -= 1
        if self.batches == 0:
            raise Interrupted


@pytest.mark.timeout(60)
def test_prune_beyond_the_parameter_limits_keeps_every_body_around_an_event(sessions):
    _fill(sessions)
    before = T0 - timedelta(days=30)
    dry = prune_bodies(sessions, before=before, dry_run=True)
    plain = LISTINGS * (OLD_SEQS // 3)  # seq 1, 4, …, 88 of each listing: old and next to no event
    assert (dry.blobs, dry.snapshots, dry.kept_as_evidence) == (plain, plain, 2 * plain)
    assert _pruned_by_seq(sessions) == {}

    with pytest.raises(Interrupted):  # stopped half way: what was done stays done, and a new run goes on
        prune_bodies(sessions, before=before, progress=StopAfter(batches=3))
    assert 0 < _pruned_by_seq(sessions).get("plain", 0) < plain

    prune_bodies(sessions, before=before)
    assert _pruned_by_seq(sessions) == {"plain": plain}
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Blob).where(Blob.compression == "pruned")) == plain
    assert prune_bodies(sessions, before=before).blobs == 0
