"""Big lists read in keyset pages (`WHERE key > :last ORDER BY key LIMIT :n`), each page in a short
transaction of its own with its related rows loaded in one more query: memory stays flat and the number of
statements grows with the pages, never with the rows."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from store.db import session_scope
from store.models import Event, Listing, Snapshot
from store.serialize import event_json, listing_json, snapshot_json

PAGE = 1000  # rows per page


def listing_pages(sessions: sessionmaker[Session], *, removed: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Listings as JSON, by id, a page at a time (active ones only unless `removed`)."""
    after = 0
    while True:
        query = (select(Listing).options(joinedload(Listing.account), selectinload(Listing.recipients))
                 .where(Listing.id > after).order_by(Listing.id).limit(PAGE))
        if not removed:
            query = query.where(Listing.active.is_(True))
        with session_scope(sessions) as session:
            page = [listing_json(listing) for listing in session.scalars(query)]
        if not page:
            return
        yield page
        after = page[-1]["id"]


def event_pages(sessions: sessionmaker[Session], *, listing_id: int | None = None,
                since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Events as JSON, oldest first ((detected_at, id) order), a page at a time; each with its listing's URL
    from the same query."""
    last: tuple[datetime, int] | None = None
    while True:
        query = (select(Event).options(joinedload(Event.listing).load_only(Listing.canonical_url))
                 .order_by(Event.detected_at, Event.id).limit(PAGE))
        if listing_id is not None:
            query = query.where(Event.listing_id == listing_id)
        if since is not None:
            query = query.where(Event.detected_at >= since)
        if last is not None:
            at, event_id = last
            query = query.where(tuple_(Event.detected_at, Event.id) > tuple_(literal(at, Event.detected_at.type),
                                                                             literal(event_id)))
        with session_scope(sessions) as session:
            events = session.scalars(query).all()
            page = [event_json(e) for e in events]
            if events:
                last = (events[-1].detected_at, events[-1].id)
        if not page:
            return
        yield page


def snapshot_pages(sessions: sessionmaker[Session], listing_id: int) -> Iterator[list[dict[str, Any]]]:
    """A listing's snapshots as JSON, oldest first (by seq, the (listing_id, seq) key), a page at a time."""
    after = 0
    while True:
        query = (select(Snapshot).where(Snapshot.listing_id == listing_id, Snapshot.seq > after)
                 .order_by(Snapshot.seq).limit(PAGE))
        with session_scope(sessions) as session:
            page = [snapshot_json(snapshot) for snapshot in session.scalars(query)]
        if not page:
            return
        yield page
        after = page[-1]["seq"]
