"""Retention: page bodies that are not evidence of anything may go after N days; metadata stays.

Never pruned: the bodies of snapshots around an event (the event's snapshot and the one before it,
which together show the change) and of any snapshot newer than the cut-off. A blob is pruned only
when no kept snapshot references it (bodies are shared between snapshots).

A pruned blob keeps its row (hash, size, media type) with its bytes emptied and compression set to
"pruned": the snapshots still name it, so every chain hash stays verifiable and the foreign keys hold.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from store.blobs import PRUNED
from store.db import session_scope
from store.models import Blob, Event, Snapshot

BATCH = 500


@dataclass(frozen=True)
class PruneReport:
    snapshots: int  # old snapshots whose body (or screenshot) is no longer stored
    blobs: int
    bytes: int  # compressed bytes released
    kept_as_evidence: int  # old snapshots kept whole because they surround an event


def evidence_snapshot_ids(session: Session) -> set[int]:
    """Snapshots of events and their predecessors."""
    ids = {i for i in session.scalars(select(Event.snapshot_id).where(Event.snapshot_id.is_not(None)))}
    current, previous = aliased(Snapshot), aliased(Snapshot)
    ids |= set(session.scalars(
        select(previous.id).join(current, and_(current.listing_id == previous.listing_id,
                                               current.seq == previous.seq + 1))
        .where(current.id.in_(select(Event.snapshot_id).where(Event.snapshot_id.is_not(None))))))
    return ids


def _digests(session: Session, condition) -> set[str]:
    found: set[str] = set()
    for column in (Snapshot.body_sha256, Snapshot.screenshot_sha256):
        found |= set(session.scalars(select(column).where(condition, column.is_not(None)).distinct()))
    return found


def prune_bodies(sessions: sessionmaker[Session], *, before: datetime, dry_run: bool = False,
                 progress: Any = None) -> PruneReport:
    """Prunes blobs only old, non-evidence snapshots reference. `progress`: optional rich-like
    (task total / advance) reporter."""
    with session_scope(sessions) as session:
        evidence = evidence_snapshot_ids(session)
        old = Snapshot.fetched_at < before
        has_body = or_(Snapshot.body_sha256.is_not(None), Snapshot.screenshot_sha256.is_not(None))
        kept_as_evidence = session.scalar(select(func.count()).select_from(Snapshot).where(
            old, has_body, Snapshot.id.in_(evidence))) if evidence else 0
        candidates = _digests(session, and_(old, Snapshot.id.not_in(evidence)) if evidence else old)
        kept = _digests(session, or_(~old, Snapshot.id.in_(evidence)) if evidence else ~old)
        doomed = sorted(candidates - kept)
        doomed = sorted(set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(doomed),
                                                                         Blob.compression != PRUNED))))
        released = session.scalar(select(func.count()).select_from(Snapshot).where(
            old, or_(Snapshot.body_sha256.in_(doomed), Snapshot.screenshot_sha256.in_(doomed)))) if doomed else 0
        size = session.scalar(select(func.coalesce(func.sum(func.length(Blob.data)), 0))
                              .where(Blob.sha256.in_(doomed))) if doomed else 0
    task = progress.add_task("pruning", total=len(doomed)) if progress is not None else None
    if not dry_run:
        for start in range(0, len(doomed), BATCH):
            chunk = doomed[start:start + BATCH]
            with session_scope(sessions) as session:  # short transactions: the service keeps writing
                session.execute(update(Blob).where(Blob.sha256.in_(chunk)).values(data=b"", compression=PRUNED)
                                .execution_options(synchronize_session=False))
            if progress is not None:
                progress.advance(task, len(chunk))
    return PruneReport(snapshots=released or 0, blobs=len(doomed), bytes=int(size or 0),
                       kept_as_evidence=kept_as_evidence or 0)
