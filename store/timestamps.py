"""Stamping chain heads with an RFC 3161 authority, in batches (store.models_evidence), and reading the
stamps that cover a listing back for its evidence bundle.

Why a Merkle root over the heads that moved, not one token per listing: a token per listing per pass is
100,000 requests an hour to an authority such as FreeTSA at this project's scale; one root per batch is one
request, and each listing's bundle still carries everything needed offline (its leaf, the path to the root,
the token). Stamping a head vouches for every earlier snapshot of that chain too: each one is sealed in it.

A batch takes the heads of the snapshots stored after the previous batch's newest snapshot id. In cluster
mode a snapshot committed late with a lower id can miss its batch; its chain's next head covers it.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from store import merkle
from store.db import session_scope
from store.models import Event, Snapshot
from store.models_evidence import PENDING, STAMPED, TimestampBatch, TimestampLeaf
from store.tsa import Stamp, TSAError, request_stamp

RETRY_FIRST, RETRY_MAX = timedelta(seconds=30), timedelta(hours=1)
MAX_ATTEMPTS_PER_RUN = 20  # pending batches asked for per run: an authority back after a long outage is not flooded


@dataclass(frozen=True)
class StampReport:
    batches: int = 0  # new batches made
    stamped: int = 0  # batches that got their token in this run
    pending: int = 0  # batches still waiting for the authority
    problem: str | None = None


def make_batch(session: Session, *, tsa_url: str, now: datetime) -> TimestampBatch | None:
    """A pending batch over the heads of every chain that moved since the last batch; None when none moved."""
    after = session.scalar(select(func.max(TimestampBatch.upto_snapshot_id))) or 0
    newest = (select(Snapshot.listing_id, func.max(Snapshot.seq))
              .where(Snapshot.id > after).group_by(Snapshot.listing_id))
    heads = session.execute(select(Snapshot.id, Snapshot.listing_id, Snapshot.seq, Snapshot.chain_hash)
                            .where(tuple_(Snapshot.listing_id, Snapshot.seq).in_(newest))
                            .order_by(Snapshot.listing_id)).all()
    if not heads:
        return None
    leaves = [merkle.leaf(h.listing_id, h.seq, h.chain_hash) for h in heads]
    batch = TimestampBatch(created_at=now, root=merkle.root(leaves).hex(), leaf_count=len(heads),
                           upto_snapshot_id=max(h.id for h in heads), tsa_url=tsa_url, status=PENDING,
                           attempts=0, next_attempt_at=now)
    session.add(batch)
    session.flush()
    session.execute(TimestampLeaf.__table__.insert(), [
        {"batch_id": batch.id, "listing_id": h.listing_id, "seq": h.seq, "chain_hash": h.chain_hash, "position": i}
        for i, h in enumerate(heads)])
    return batch


def stamp_pending(sessions: sessionmaker[Session], *, tsa_url: str, now: datetime,
                  every: timedelta = timedelta(0), wait_retry: bool = True,
                  ask: Callable[[str, bytes], Stamp] = request_stamp) -> StampReport:
    """Make a batch of the heads that moved (unless the last batch is younger than `every`), then ask the
    authority for every due pending batch (the new one and those an earlier outage left). Each answer is
    stored in its own short transaction; the HTTP request runs outside any. An unreachable authority leaves
    the batch pending, retried with a growing delay (`wait_retry`; a one-shot `vigie check` pass, rare enough,
    asks again at once)."""
    with session_scope(sessions) as session:
        last = session.scalar(select(func.max(TimestampBatch.created_at)))
        made = make_batch(session, tsa_url=tsa_url, now=now) if last is None or last <= now - every else None
        query = select(TimestampBatch.id, TimestampBatch.root, TimestampBatch.tsa_url).where(
            TimestampBatch.status == PENDING)
        if wait_retry:
            query = query.where(TimestampBatch.next_attempt_at <= now)
        due = session.execute(query.order_by(TimestampBatch.id).limit(MAX_ATTEMPTS_PER_RUN)).all()
    stamped, problem = 0, None
    for batch_id, root, url in due:
        try:
            stamp = ask(url, bytes.fromhex(root))
        except TSAError as exc:
            problem = str(exc)
            _failed(sessions, batch_id, problem, now=now)
            break  # the authority is down: the other batches wait for the next run
        with session_scope(sessions) as session:
            batch = session.get(TimestampBatch, batch_id)
            batch.status, batch.response, batch.stamped_at = STAMPED, stamp.response, stamp.gen_time
            batch.attempts += 1
            batch.last_error = None
        stamped += 1
    with session_scope(sessions) as session:
        pending = session.scalar(select(func.count()).select_from(TimestampBatch)
                                 .where(TimestampBatch.status == PENDING)) or 0
    return StampReport(batches=1 if made else 0, stamped=stamped, pending=pending, problem=problem)


def _failed(sessions: sessionmaker[Session], batch_id: int, error: str, *, now: datetime) -> None:
    with session_scope(sessions) as session:
        batch = session.get(TimestampBatch, batch_id)
        batch.attempts += 1
        batch.last_error = error
        batch.next_attempt_at = now + min(RETRY_MAX, RETRY_FIRST * 2 ** min(batch.attempts - 1, 12))


def stamps_for(session: Session, listing_id: int) -> list[dict[str, Any]]:
    """The stamps a listing's bundle carries: for each event's snapshot, the earliest token over a head at or
    after it (the latest time it provably existed by), and the newest token; each with its leaf and path.

    At most (events + 1) tokens, whatever the number of batches; one query for the leaves of each."""
    leaves = session.execute(select(TimestampLeaf.batch_id, TimestampLeaf.seq, TimestampLeaf.position)
                             .join(TimestampBatch, TimestampBatch.id == TimestampLeaf.batch_id)
                             .where(TimestampLeaf.listing_id == listing_id, TimestampBatch.status == STAMPED)
                             .order_by(TimestampLeaf.seq, TimestampLeaf.batch_id)).all()
    if not leaves:
        return []
    event_seqs = session.scalars(select(Snapshot.seq).join(Event, Event.snapshot_id == Snapshot.id)
                                 .where(Event.listing_id == listing_id).distinct()).all()
    seqs = [leaf.seq for leaf in leaves]
    chosen = {leaves[-1]}
    for seq in event_seqs:
        at = bisect_left(seqs, seq)
        if at < len(leaves):
            chosen.add(leaves[at])
    return [_stamp(session, listing_id, leaf) for leaf in sorted(chosen, key=lambda leaf: (leaf.seq, leaf.batch_id))]


def _stamp(session: Session, listing_id: int, chosen: Any) -> dict[str, Any]:
    batch = session.get(TimestampBatch, chosen.batch_id)
    rows = session.execute(select(TimestampLeaf.listing_id, TimestampLeaf.seq, TimestampLeaf.chain_hash)
                           .where(TimestampLeaf.batch_id == batch.id).order_by(TimestampLeaf.position)).all()
    hashes = [merkle.leaf(*row) for row in rows]
    mine = rows[chosen.position]
    return {"batch": batch.id, "tsa_url": batch.tsa_url, "root": batch.root, "gen_time": batch.stamped_at.isoformat(),
            "leaf": {"listing_id": listing_id, "seq": mine.seq, "chain_hash": mine.chain_hash},
            "path": merkle.proof(hashes, chosen.position), "response": batch.response}
