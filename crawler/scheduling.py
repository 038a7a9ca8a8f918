"""Which listings the service checks next, read from the database at every tick.

Reading the schedule from the store (not from jobs held in memory) is what lets a listing added
by another process be picked up at the next tick, and a restart resume exactly where it stopped.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Collection, Iterable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.targets import CheckTarget
from store.models import Listing


# what the service checks: product listings, storefronts (crawler.shop_spider), search watches (crawler.search_spider)
SERVICE_KINDS = ("listing", "shop", "search")
# search watches are due apart, in rooms of their own: however many wait (over their budget, or just many),
# they never take a listing check's place in a batch, nor its room on the marketplace
APART_KINDS = ("search",)
LISTING_KINDS = tuple(kind for kind in SERVICE_KINDS if kind not in APART_KINDS)


def room_key(kind: str, marketplace: str) -> str:
    """The room a target waits in: its marketplace's, or for a kind apart, that kind's on the marketplace."""
    return f"{kind}:{marketplace}" if kind in APART_KINDS else marketplace


def _active(kinds: Iterable[str] = SERVICE_KINDS):
    return select(Listing).where(Listing.active.is_(True), Listing.kind.in_(tuple(kinds)))


def due_batch(session: Session, *, now: datetime, busy: Iterable[int], room: Mapping[str, int],
              default_room: int, kinds: Iterable[str] = SERVICE_KINDS,
              skip: Collection[str] = ()) -> list[tuple[CheckTarget, datetime]]:
    """Due targets of these kinds not already in flight, oldest due first, at most `room[key]` per room
    (room_key), none on the marketplaces in `skip`.

    Returns each target with the time it was due (for the scheduling lag).
    """
    busy = set(busy)
    limit = sum(room.values()) + default_room * 16 + len(busy)
    query = _active(kinds).where(Listing.next_check_at <= now)
    if skip:
        query = query.where(Listing.marketplace.not_in(sorted(skip)))
    rows = session.scalars(query.order_by(Listing.next_check_at, Listing.id).limit(limit)).all()
    taken: Counter[str] = Counter()
    batch = []
    for listing in rows:
        key = room_key(listing.kind, listing.marketplace)
        if listing.id in busy or taken[key] >= room.get(key, default_room):
            continue
        taken[key] += 1
        batch.append((CheckTarget(listing_id=listing.id, url=listing.canonical_url, marketplace=listing.marketplace,
                                  seller=listing.seller, browser=listing.browser, kind=listing.kind),
                      listing.next_check_at))
    return batch


def spread_overdue(session: Session, *, now: datetime, window: timedelta) -> int:
    """Re-times listings that fell due while the service was down, evenly over `window` (or their own
    interval when shorter), oldest first, so a restart does not fire them all at the same moment.

    Returns how many were re-timed. Listings due within the last tick are left alone.
    """
    overdue = session.execute(
        select(Listing.id, Listing.every_seconds).where(
            Listing.active.is_(True), Listing.kind == "listing", Listing.next_check_at < now)
        .order_by(Listing.next_check_at, Listing.id)).all()
    count = len(overdue)
    for rank, (listing_id, every_seconds) in enumerate(overdue):
        span = min(window.total_seconds(), float(every_seconds))
        # still overdue: a check another node of a cluster claimed meanwhile keeps its lease
        session.execute(update(Listing).where(Listing.id == listing_id, Listing.next_check_at < now)
                        .values(next_check_at=now + timedelta(seconds=span * rank / max(count, 1))))
    return count


def oldest_due(session: Session, *, now: datetime) -> datetime | None:
    """When the most overdue active listing fell due (None when nothing is due)."""
    return session.scalar(select(Listing.next_check_at).where(
        Listing.active.is_(True), Listing.kind == "listing", Listing.next_check_at <= now)
        .order_by(Listing.next_check_at).limit(1))
