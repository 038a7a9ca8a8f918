"""Claims: which node dispatched which due slot, kept in the store next to the listing.

Dispatching a due listing sets its claim and pushes its next check a lease ahead, in one statement
under FOR UPDATE SKIP LOCKED, so two nodes never dispatch the same slot. Recording clears the claim
(crawler.recorder); a message whose claim no longer holds when its result is recorded (a redelivery,
or a lease that ran out and was claimed again) records nothing. A lost message costs one lease of delay, never the check.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Iterable, Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crawler.runner import WATCHED_KINDS
from crawler.scheduling import APART_KINDS, room_key
from crawler.targets import CheckTarget
from store.models import Listing


# the kinds claimed together, in the marketplace's room; search walks are claimed apart (crawler.scheduling)
TOGETHER_KINDS = tuple(kind for kind in WATCHED_KINDS if kind not in APART_KINDS)


@dataclass(frozen=True)
class Claimed:
    target: CheckTarget  # carries its claim
    due_at: datetime


def target_fields(target: CheckTarget) -> dict:
    """The target as a queue message carries it (JSON): the node checks it without reading the store first."""
    return {"listing_id": target.listing_id, "url": target.url, "marketplace": target.marketplace,
            "seller": target.seller, "browser": target.browser, "kind": target.kind, "state": target.state,
            "claim": target.claim}


def _watched():
    return (Listing.active.is_(True), Listing.kind.in_(WATCHED_KINDS))


def outstanding(session: Session, *, now: datetime) -> Counter[str]:
    """Per room (crawler.scheduling.room_key), dispatched checks whose lease still runs (queued or being checked)."""
    rows = session.execute(select(Listing.kind, Listing.marketplace, func.count()).where(
        *_watched(), Listing.claim_token.is_not(None), Listing.next_check_at > now)
        .group_by(Listing.kind, Listing.marketplace))
    busy: Counter[str] = Counter()
    for kind, marketplace, count in rows:
        busy[room_key(kind, marketplace)] += count
    return busy


def claim_due(session: Session, *, now: datetime, lease: timedelta, node: str, room: Mapping[str, int],
              default_room: int, kinds: Iterable[str] = WATCHED_KINDS, skip: Collection[str] = ()) -> list[Claimed]:
    """Claims due targets of these kinds, oldest first, at most `room[key]` per room (room_key), none on the
    marketplaces in `skip`; returns them."""
    limit = sum(room.values()) + default_room * 16
    query = select(Listing.id, Listing.canonical_url, Listing.marketplace, Listing.seller, Listing.browser,
                   Listing.kind, Listing.state, Listing.next_check_at).where(
        Listing.active.is_(True), Listing.kind.in_(tuple(kinds)), Listing.next_check_at <= now)
    if skip:
        query = query.where(Listing.marketplace.not_in(sorted(skip)))
    rows = session.execute(query.order_by(Listing.next_check_at, Listing.id).limit(limit)
                           .with_for_update(skip_locked=True)).all()
    claim = f"{node[:20]}-{uuid.uuid4().hex[:16]}"
    taken: Counter[str] = Counter()
    chosen = []
    for row in rows:
        key = room_key(row.kind, row.marketplace)
        if taken[key] >= room.get(key, default_room):
            continue
        taken[key] += 1
        chosen.append(Claimed(CheckTarget(listing_id=row.id, url=row.canonical_url, marketplace=row.marketplace,
                                          seller=row.seller, browser=row.browser, kind=row.kind, state=row.state,
                                          claim=claim), row.next_check_at))
    if chosen:
        session.execute(update(Listing).where(Listing.id.in_([c.target.listing_id for c in chosen]))
                        .values(claim_token=claim, next_check_at=now + lease))
    return chosen


def release(session: Session, target: CheckTarget, *, now: datetime) -> bool:
    """Gives back a claim whose check was not run (a search walk beyond its budget): the target is due again,
    with nothing recorded. False when the claim no longer holds (claimed again since)."""
    released = session.execute(update(Listing).where(Listing.id == target.listing_id,
                                                     Listing.claim_token == target.claim)
                               .values(claim_token=None, next_check_at=now))
    return bool(released.rowcount)
