""""Is anything wrong?": the listings a seller should look at first, and why.

A listing needs attention when it is removed, its offer is gone or it is unavailable; when the marketplace has
blocked its checks long enough to raise `monitoring_blocked` (the detector's `blocked_alerted`, cleared by the
next check that gets an answer); or when an alert about it could not be delivered (failed, or still retrying).
Five statements whatever the number of listings: the flagged listings (bounded), their undelivered alerts (mail
and channels) and latest trouble, and the first rows of the others — no query per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from observatory.accounts import Viewer
from store.models import AlertDelivery, Event, Listing
from store.models_channels import ChannelDelivery

PROBLEM_STATES = ("gone", "offer_gone", "unavailable")
SHOWN = 50  # the dashboard lists this many; the listings page has the rest
OTHERS = 20  # and the first of the listings that need nothing


@dataclass(frozen=True)
class Flagged:
    listing: Listing
    reasons: tuple[str, ...]  # codes: a state, "blocked", "undelivered"
    undelivered: int = 0
    since: datetime | None = None


@dataclass(frozen=True)
class Attention:
    flagged: Sequence[Flagged]
    more_flagged: bool
    others: Sequence[Listing] = field(default_factory=tuple)
    more_others: bool = False


def _undelivered(delivery: Any) -> ColumnElement[bool]:
    return or_(delivery.status == "failed", and_(delivery.status == "pending", delivery.attempts > 0))


def _undelivered_listings() -> Any:
    mail = select(Event.listing_id).join(AlertDelivery, AlertDelivery.event_id == Event.id) \
        .where(_undelivered(AlertDelivery))
    channel = select(Event.listing_id).join(ChannelDelivery, ChannelDelivery.event_id == Event.id) \
        .where(_undelivered(ChannelDelivery))
    return mail.union(channel)


def _blocked() -> ColumnElement[bool]:
    return Listing.detector_state["blocked_alerted"].as_boolean().is_(True)


def needs_attention() -> ColumnElement[bool]:
    # coalesce: a never-checked listing (NULL state) must land on one side of the NOT, not vanish from both
    return or_(func.coalesce(Listing.state, "unknown").in_(PROBLEM_STATES), _blocked(), Listing.id.in_(_undelivered_listings()))


def _scoped(viewer: Viewer) -> Any:
    query = select(Listing).where(Listing.active.is_(True))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    return query


def attention(session: Session, viewer: Viewer, *, shown: int = SHOWN, others: int = OTHERS) -> Attention:
    flagged_rows = session.scalars(
        _scoped(viewer).where(needs_attention()).options(selectinload(Listing.account))
        .order_by(Listing.last_checked_at.desc(), Listing.id.desc()).limit(shown + 1)).all()
    ids = [row.id for row in flagged_rows[:shown]]
    counts: dict[int, int] = {}
    since: dict[int, datetime] = {}
    if ids:
        for model in (AlertDelivery, ChannelDelivery):
            for listing_id, number in session.execute(
                    select(Event.listing_id, func.count()).join(model, model.event_id == Event.id)
                    .where(Event.listing_id.in_(ids), _undelivered(model)).group_by(Event.listing_id)):
                counts[listing_id] = counts.get(listing_id, 0) + number
        since = {listing_id: at for listing_id, at in session.execute(
            select(Event.listing_id, func.max(Event.detected_at))
            .where(Event.listing_id.in_(ids), Event.kind.in_(("delisted", "offer_gone", "unavailable",
                                                               "monitoring_blocked")))
            .group_by(Event.listing_id))}
    flagged = []
    for row in flagged_rows[:shown]:
        reasons = [row.state] if row.state in PROBLEM_STATES else []
        reasons += ["blocked"] if (row.detector_state or {}).get("blocked_alerted") else []
        reasons += ["undelivered"] if counts.get(row.id) else []
        flagged.append(Flagged(row, tuple(reasons), counts.get(row.id, 0), since.get(row.id)))
    rest = session.scalars(_scoped(viewer).where(~needs_attention()).options(selectinload(Listing.account))
                           .order_by(Listing.id).limit(others + 1)).all()
    return Attention(flagged, len(flagged_rows) > shown, rest[:others], len(rest) > others)
