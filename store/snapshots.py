"""Appending snapshots to a listing's hash chain, and reading them back."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from store import chain
from store.daily_counts import count_for_listing
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
    return Snapshot(**sealed_row(listing_id, link, **fields))


def sealed_row(listing_id: int, link: tuple[int, str | None], **fields: Any) -> dict[str, Any]:
    """`sealed` as the column values of the row, for a bulk insert (`insert_rows`)."""
    seq, prev_hash = link
    row = {"listing_id": listing_id, "seq": seq + 1, "prev_hash": prev_hash, **fields}
    for column in Snapshot.__table__.columns:  # hash what will be stored, not what the INSERT would fill in later
        default = column.default
        if default is not None and row.get(column.key) is None:
            row[column.key] = default.arg(None) if callable(default.arg) else default.arg
    row["chain_hash"] = chain.link(prev_hash, chain.payload(row))
    return row


def append(session: Session, listing_id: int, **fields: Any) -> Snapshot:
    """Adds the next snapshot of the listing, sealed by the previous one's chain hash.

    Callers hold the transaction; the (listing_id, seq) unique key makes two writers racing
    on one listing fail loudly instead of forking the chain. The check is counted in its day
    (store.daily_counts) in the same transaction.
    """
    snapshot = sealed(listing_id, last_link(session, listing_id), **fields)
    session.add(snapshot)
    session.flush()
    count_for_listing(session, listing_id, checks=[(snapshot.fetched_at, snapshot.outcome)])
    return snapshot


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Sealed rows stored in one INSERT … RETURNING, without the unit of work's per-object bookkeeping
    (a third of recording a pass); returns their ids in the order given."""
    if not rows:
        return []
    session.flush()  # what the rows point at (their listings, new evidence blobs) goes first
    ids = session.scalars(insert(Snapshot).returning(Snapshot.id, sort_by_parameter_order=True), rows)
    return list(ids)


def history(session: Session, listing_id: int) -> Sequence[Snapshot]:
    """Every snapshot of the listing: for the evidence bundle; lists a person reads go by pages."""
    return session.scalars(select(Snapshot).where(Snapshot.listing_id == listing_id).order_by(Snapshot.seq)).all()


def verify_chain(snapshots: Sequence[Any], *, after: str | None = None) -> list[str]:
    """Problems found re-walking the chain, oldest first; empty when intact. `after`: the chain hash of the
    snapshot before the first one given (None: they start the chain)."""
    problems, prev = [], after
    for snapshot in snapshots:
        get = snapshot.get if isinstance(snapshot, dict) else lambda n, s=snapshot: getattr(s, n)
        if get("prev_hash") != prev:
            problems.append(f"snapshot {get('seq')}: prev_hash does not match the previous chain_hash")
        expected = chain.link(get("prev_hash"), chain.payload(snapshot))
        if expected != get("chain_hash"):
            problems.append(f"snapshot {get('seq')}: chain_hash does not match its content")
        prev = get("chain_hash")
    return problems
