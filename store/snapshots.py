"""Appending snapshots to a listing's hash chain, and reading them back."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from store import chain
from store.models import Snapshot


def last_link(session: Session, listing_id: int) -> tuple[int, str | None]:
    """(seq, chain_hash) of the listing's newest snapshot; (0, None) before the first."""
    row = session.execute(
        select(Snapshot.seq, Snapshot.chain_hash).where(Snapshot.listing_id == listing_id)
        .order_by(Snapshot.seq.desc()).limit(1)
    ).first()
    return (0, None) if row is None else (row.seq, row.chain_hash)


def last_links(session: Session, listing_ids: set[int]) -> dict[int, tuple[int, str | None]]:
    """`last_link` for many listings in one query; listings without snapshots are absent."""
    if not listing_ids:
        return {}
    newest = (select(Snapshot.listing_id, func.max(Snapshot.seq))
              .where(Snapshot.listing_id.in_(listing_ids)).group_by(Snapshot.listing_id))
    rows = session.execute(select(Snapshot.listing_id, Snapshot.seq, Snapshot.chain_hash)
                           .where(tuple_(Snapshot.listing_id, Snapshot.seq).in_(newest)))
    return {row.listing_id: (row.seq, row.chain_hash) for row in rows}


def sealed(listing_id: int, link: tuple[int, str | None], **fields: Any) -> Snapshot:
    """The snapshot that follows `link` (the previous (seq, chain_hash)), its chain hash computed."""
    seq, prev_hash = link
    snapshot = Snapshot(listing_id=listing_id, seq=seq + 1, prev_hash=prev_hash, **fields)
    _apply_column_defaults(snapshot)  # hash what will be stored, not what the INSERT would fill in later
    snapshot.chain_hash = chain.link(prev_hash, chain.payload(snapshot))
    return snapshot


def append(session: Session, listing_id: int, **fields: Any) -> Snapshot:
    """Adds the next snapshot of the listing, sealed by the previous one's chain hash.

    Callers hold the transaction; the (listing_id, seq) unique key makes two writers racing
    on one listing fail loudly instead of forking the chain.
    """
    snapshot = sealed(listing_id, last_link(session, listing_id), **fields)
    session.add(snapshot)
    session.flush()
    return snapshot


def _apply_column_defaults(snapshot: Snapshot) -> None:
    for column in Snapshot.__table__.columns:
        default = column.default
        if default is None or getattr(snapshot, column.key) is not None:
            continue
        setattr(snapshot, column.key, default.arg(None) if callable(default.arg) else default.arg)


def history(session: Session, listing_id: int) -> Sequence[Snapshot]:
    return session.scalars(select(Snapshot).where(Snapshot.listing_id == listing_id).order_by(Snapshot.seq)).all()


def verify_chain(snapshots: Sequence[Any]) -> list[str]:
    """Problems found re-walking the chain, oldest first; empty when intact."""
    problems, prev = [], None
    for snapshot in snapshots:
        get = snapshot.get if isinstance(snapshot, dict) else lambda n, s=snapshot: getattr(s, n)
        if get("prev_hash") != prev:
            problems.append(f"snapshot {get('seq')}: prev_hash does not match the previous chain_hash")
        expected = chain.link(get("prev_hash"), chain.payload(snapshot))
        if expected != get("chain_hash"):
            problems.append(f"snapshot {get('seq')}: chain_hash does not match its content")
        prev = get("chain_hash")
    return problems
