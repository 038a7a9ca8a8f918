"""Evidence blobs stored once and compressed; the hash chain seals each listing's snapshots."""
from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from store import blobs, snapshots
from store.db import session_scope
from store.models import Account, Blob, Listing, Snapshot

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_body_is_stored_once_compressed_and_read_back(sessions):
    body = b"<html>" + b"x" * 10_000 + b"</html>"
    with session_scope(sessions) as session:
        first = blobs.put(session, body, media_type="text/html", now=NOW)
        second = blobs.put(session, body, media_type="text/html", now=NOW)
        assert first == second == blobs.sha256(body)
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 1
        stored = session.get(Blob, first)
        assert len(stored.data) < len(body) // 10
        assert blobs.get(session, first) == body


def test_a_corrupted_blob_is_refused_not_returned(sessions):
    with session_scope(sessions) as session:
        digest = blobs.put(session, b"original", media_type="text/html", now=NOW)
    with session_scope(sessions) as session:
        session.execute(update(Blob).where(Blob.sha256 == digest).values(data=zlib.compress(b"tampered")))
    with session_scope(sessions) as session, pytest.raises(ValueError, match="corrupt"):
        blobs.get(session, digest)


def test_a_pruned_blob_reads_as_absent_and_is_restored_when_seen_again(sessions):
    with session_scope(sessions) as session:
        digest = blobs.put(session, b"page", media_type="text/html", now=NOW)
        session.execute(update(Blob).where(Blob.sha256 == digest).values(data=b"", compression=blobs.PRUNED))
    with session_scope(sessions) as session:
        assert blobs.get(session, digest) is None
        blobs.put(session, b"page", media_type="text/html", now=NOW)
    with session_scope(sessions) as session:
        assert blobs.get(session, digest) == b"page"


def _listing(session) -> Listing:
    account = Account(name="a", lang="fr", created_at=NOW)
    session.add(account)
    session.flush()
    listing = Listing(account_id=account.id, url="https://x.example/p", canonical_url="https://x.example/p",
                      marketplace="generic", created_at=NOW, next_check_at=NOW, detector_state={})
    session.add(listing)
    session.flush()
    return listing


def test_snapshots_chain_and_any_change_breaks_it(sessions):
    with session_scope(sessions) as session:
        listing_id = _listing(session).id
        for n in range(3):
            snapshots.append(session, listing_id, fetched_at=NOW + timedelta(hours=n), requested_url="https://x",
                             outcome="listed", price=Decimal("19.99") + n, currency="EUR")
    with session_scope(sessions) as session:
        chain = snapshots.history(session, listing_id)
        assert [s.seq for s in chain] == [1, 2, 3]
        assert chain[0].prev_hash is None and chain[1].prev_hash == chain[0].chain_hash
        assert snapshots.verify_chain(chain) == []
        session.execute(update(Snapshot).where(Snapshot.seq == 2).values(price=Decimal("9.99")))
    with session_scope(sessions) as session:
        problems = snapshots.verify_chain(snapshots.history(session, listing_id))
        assert problems == ["snapshot 2: chain_hash does not match its content"]
