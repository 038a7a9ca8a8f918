"""Retention: page bodies that are not evidence of anything may go after N days; metadata stays.

Never pruned: the bodies of snapshots around an event (the event's snapshot and the one before it,
which together show the change) and of any snapshot newer than the cut-off. A blob is pruned only
when no kept snapshot references it (bodies are shared between snapshots).

A pruned blob keeps its row (hash, size, media type) with its bytes emptied and compression set to
"pruned": the snapshots still name it, so every chain hash stays verifiable and the foreign keys hold.

The per-day counts (store.models_daily) are left as they are: they count checks and events, which retention
keeps (only bytes go), so they still describe the checks that happened and still equal a recount of the rows.

The work goes through the blobs in hash order, `BATCH` at a time, one short transaction each: what a
blob's fate depends on is asked of the database in subqueries (indexed on the snapshots' digests and
the events' snapshot), never sent as a list of ids, so any volume stays within the drivers' 65,535
bound parameters; checks keep recording between batches, and a run stopped half way loses at most
the batch in hand (the next run skips what is pruned already).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select, union, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from store.blobs import PRUNED
from store.db import session_scope
from store.models import Blob, Event, Snapshot

BATCH = 1000  # blobs per transaction


@dataclass(frozen=True)
class PruneReport:
    snapshots: int  # old snapshots whose body (or screenshot) is no longer stored
    blobs: int
    bytes: int  # compressed bytes released
    kept_as_evidence: int  # old snapshots kept whole because they surround an event


DIGESTS = ("body_sha256", "screenshot_sha256")


def _referenced(column: str, condition) -> Any:
    """SQL: some snapshot meeting `condition(snapshot)` has the outer Blob as its `column`."""
    snapshot = aliased(Snapshot)
    return exists().where(getattr(snapshot, column) == Blob.sha256, condition(snapshot))


def _an_event_on(snapshot) -> Any:
    return exists().where(Event.snapshot_id == snapshot.id)


def _an_event_after(snapshot) -> Any:
    following = aliased(Snapshot)
    return exists(select(1).select_from(following).join(Event, Event.snapshot_id == following.id)
                  .where(following.listing_id == snapshot.listing_id, following.seq == snapshot.seq + 1))


def evidence_count(session: Session, before: datetime) -> int:
    """Old snapshots with a body kept because they surround an event (found from the events' side)."""
    event_snapshot, previous = aliased(Snapshot), aliased(Snapshot)
    ids = union(
        select(Event.snapshot_id.label("id")).where(Event.snapshot_id.is_not(None)),
        select(previous.id).select_from(Event)
        .join(event_snapshot, event_snapshot.id == Event.snapshot_id)
        .join(previous, and_(previous.listing_id == event_snapshot.listing_id,
                             previous.seq == event_snapshot.seq - 1))).subquery()
    return session.scalar(
        select(func.count()).select_from(Snapshot).join(ids, ids.c.id == Snapshot.id)
        .where(Snapshot.fetched_at < before,
               or_(Snapshot.body_sha256.is_not(None), Snapshot.screenshot_sha256.is_not(None)))) or 0


def doomed_blobs(before: datetime) -> Select:
    """(hash, stored bytes, old snapshots naming it) of the blobs of the hash range (:after, :last] that some
    old snapshot references and none that keeps it (newer than `before`, an event's, the one before an
    event's). The old references are read by range from the digest indexes; the keeping ones are plain
    correlated NOT EXISTS, each an index probe from the blob (an OR of EXISTS across tables made PostgreSQL
    hash whole tables once per batch). Built once per run: building it took longer than running it."""
    after, last = bindparam("after", type_=Blob.sha256.type), bindparam("last", type_=Blob.sha256.type)
    keeps = (lambda s: s.fetched_at >= before, _an_event_on, _an_event_after)
    old_references = union(*(select(getattr(Snapshot, column)).where(
        getattr(Snapshot, column) > after, getattr(Snapshot, column) <= last, Snapshot.fetched_at < before)
        for column in DIGESTS))
    # one whose body and screenshot both go is counted twice
    naming = [select(func.count()).where(getattr(Snapshot, column) == Blob.sha256, Snapshot.fetched_at < before)
              .correlate(Blob).scalar_subquery() for column in DIGESTS]
    return select(Blob.sha256, func.length(Blob.data), naming[0] + naming[1]).where(
        Blob.sha256 > after, Blob.sha256 <= last, Blob.compression != PRUNED, Blob.sha256.in_(old_references),
        *(~_referenced(column, keep) for column in DIGESTS for keep in keeps))


def _next_batch() -> Select:
    """(last hash, count) of the next BATCH blobs not pruned yet after :after."""
    hashes = select(Blob.sha256).where(Blob.sha256 > bindparam("after", type_=Blob.sha256.type),
                                       Blob.compression != PRUNED).order_by(Blob.sha256).limit(BATCH).subquery()
    return select(func.max(hashes.c.sha256), func.count()).select_from(hashes)


def _prune_batch(session: Session, statements: tuple[Select, Select], *, after: str, dry_run: bool
                 ) -> tuple[str | None, int, tuple[int, int, int]]:
    """One batch of up to BATCH not-yet-pruned blobs after the hash `after`: (last hash, blobs examined,
    (blobs, snapshots, bytes) released)."""
    next_batch, doomed_blobs = statements
    last, examined = session.execute(next_batch, {"after": after}).one()
    if last is None:
        return None, 0, (0, 0, 0)
    doomed = session.execute(doomed_blobs, {"after": after, "last": last}).all()
    if doomed and not dry_run:
        digests = [digest for digest, _, _ in doomed]  # at most BATCH
        session.execute(update(Blob).where(Blob.sha256.in_(digests)).values(data=b"", compression=PRUNED)
                        .execution_options(synchronize_session=False))
    return last, examined, (len(doomed), sum(n for _, _, n in doomed), sum(size or 0 for _, size, _ in doomed))


def prune_bodies(sessions: sessionmaker[Session], *, before: datetime, dry_run: bool = False,
                 progress: Any = None) -> PruneReport:
    """Prunes blobs only old, non-evidence snapshots reference. `progress`: optional rich-like
    (add_task(what, total=…) / advance(task, n)) reporter, advanced by the blobs examined."""
    with session_scope(sessions) as session:
        kept_as_evidence = evidence_count(session, before)
        total = session.scalar(select(func.count()).select_from(Blob).where(Blob.compression != PRUNED)) \
            if progress is not None else 0
    task = progress.add_task("pruning", total=total) if progress is not None else None
    statements = (_next_batch(), doomed_blobs(before))
    after, blobs, snapshots, size = "", 0, 0, 0
    while True:
        with session_scope(sessions) as session:  # short transactions: the service keeps writing
            after, examined, (pruned, released, freed) = _prune_batch(session, statements, after=after,
                                                                       dry_run=dry_run)
        blobs, snapshots, size = blobs + pruned, snapshots + released, size + freed
        if after is None:
            break
        if progress is not None:
            progress.advance(task, examined)
    return PruneReport(snapshots=snapshots, blobs=blobs, bytes=size, kept_as_evidence=kept_as_evidence)
