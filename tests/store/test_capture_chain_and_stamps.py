"""The capture context joins the chain only for snapshots that have it (older chains verify as sealed), Merkle
proofs lead to their root, and stamping batches the heads that moved and survives an authority that is down."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from store import chain, merkle, snapshots
from store.db import session_scope
from store.models import Account, Event, Listing, Snapshot
from store.models_evidence import PENDING, STAMPED, TimestampBatch
from store.timestamps import make_batch, stamp_pending, stamps_for
from store.tsa import Stamp, TSAError

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CAPTURE = {"ip_address": "203.0.113.7", "tls_leaf_sha256": "ab" * 32, "egress": "direct",
           "response_headers": [["Content-Type", "text/html"]], "redirects": []}


def _listing(session, url: str) -> int:
    account = session.scalar(select(Account).where(Account.name == "a")) or Account(name="a", created_at=NOW)
    session.add(account)
    session.flush()
    listing = Listing(account_id=account.id, url=url, canonical_url=url, marketplace="generic", state=None,
                      detector_state={}, created_at=NOW, next_check_at=NOW)
    session.add(listing)
    session.flush()
    return listing.id


def _append(session, listing_id: int, minutes: int, **fields) -> Snapshot:
    return snapshots.append(session, listing_id, fetched_at=NOW + timedelta(minutes=minutes),
                            requested_url="https://shop.example/p/1", outcome="listed", **fields)


def test_a_chain_sealed_before_the_capture_context_still_verifies_and_new_links_seal_it(sessions):
    legacy = {name: None for name in chain.CHAINED_FIELDS} | {"listing_id": 1, "seq": 1, "outcome": "listed",
                                                                "headers": {}, "offers": [], "reasons": []}
    # what an issue-28 Vigie sealed: the payload had no "capture" key at all
    legacy["chain_hash"] = chain.link(None, {k: legacy[k] for k in chain.CHAINED_FIELDS})
    assert snapshots.verify_chain([legacy]) == []
    assert snapshots.verify_chain([{**legacy, "capture": None}]) == []  # a NULL column reads the same
    with session_scope(sessions) as session:
        listing = _listing(session, "https://shop.example/p/1")
        _append(session, listing, 0)
        _append(session, listing, 1, capture=CAPTURE)
    with session_scope(sessions) as session:
        rows = snapshots.history(session, listing)
        assert rows[0].capture is None and rows[1].capture == CAPTURE
        assert "capture" not in chain.payload(rows[0]) and chain.payload(rows[1])["capture"] == CAPTURE
        assert snapshots.verify_chain(rows) == []
        stripped = [{**chain.payload(r), "chain_hash": r.chain_hash} for r in rows]
        del stripped[1]["capture"]  # dropping the context of a snapshot that sealed it breaks the chain
        assert snapshots.verify_chain(stripped) == ["snapshot 2: chain_hash does not match its content"]
        stripped[1]["capture"] = {**CAPTURE, "ip_address": "198.51.100.1"}
        assert snapshots.verify_chain(stripped) == ["snapshot 2: chain_hash does not match its content"]


@pytest.mark.parametrize("size", range(1, 10))
def test_every_merkle_proof_leads_to_the_root(size):
    leaves = [merkle.leaf(i, 1, f"{i:064x}") for i in range(size)]
    root = merkle.root(leaves)
    for index, leaf in enumerate(leaves):
        assert merkle.root_from(leaf, merkle.proof(leaves, index)) == root
    if size > 1:
        assert merkle.root_from(merkle.leaf(99, 1, "0" * 64), merkle.proof(leaves, 0)) != root


def _token(url: str, message: bytes) -> Stamp:
    return Stamp(response=b"token over " + message, gen_time=NOW)


def test_stamping_batches_the_heads_that_moved_and_waits_out_an_authority_that_is_down(sessions):
    with session_scope(sessions) as session:
        first, second = _listing(session, "https://shop.example/p/1"), _listing(session, "https://shop.example/p/2")
        _append(session, first, 0)
        _append(session, first, 1)
        _append(session, second, 2)

    def down(url: str, message: bytes) -> Stamp:
        raise TSAError("timestamp authority down")

    report = stamp_pending(sessions, tsa_url="http://tsa.test/", now=NOW, ask=down)
    assert (report.batches, report.stamped, report.pending) == (1, 0, 1) and "down" in report.problem
    # the service waits out the retry delay; nothing moved, so no new batch either
    report = stamp_pending(sessions, tsa_url="http://tsa.test/", now=NOW + timedelta(seconds=5), ask=_token)
    assert (report.batches, report.stamped, report.pending) == (0, 0, 1)
    report = stamp_pending(sessions, tsa_url="http://tsa.test/", now=NOW + timedelta(minutes=1), ask=_token)
    assert (report.batches, report.stamped, report.pending) == (0, 1, 0)
    with session_scope(sessions) as session:
        batch = session.scalars(select(TimestampBatch)).one()
        assert batch.status == STAMPED and batch.leaf_count == 2 and batch.attempts == 2
        _append(session, second, 3)
        snapshot = _append(session, first, 4)
        session.add(Event(listing_id=first, snapshot_id=snapshot.id, kind="delisted", detected_at=NOW))
    with session_scope(sessions) as session:  # `every`: no new batch before the last one is old enough
        assert stamp_pending(sessions, tsa_url="http://tsa.test/", now=NOW + timedelta(minutes=2),
                             every=timedelta(hours=1), ask=_token).batches == 0
    report = stamp_pending(sessions, tsa_url="http://tsa.test/", now=NOW + timedelta(hours=2), ask=_token)
    assert (report.batches, report.stamped) == (1, 1)
    with session_scope(sessions) as session:
        stamps = stamps_for(session, first)
        assert [s["leaf"]["seq"] for s in stamps] == [3]  # the event's snapshot is also the newest head
        leaf = merkle.leaf(first, 3, stamps[0]["leaf"]["chain_hash"])
        assert merkle.root_from(leaf, stamps[0]["path"]).hex() == stamps[0]["root"]
        assert session.scalar(select(TimestampBatch).where(TimestampBatch.status == PENDING)) is None
        assert make_batch(session, tsa_url="http://tsa.test/", now=NOW) is None  # nothing moved since
