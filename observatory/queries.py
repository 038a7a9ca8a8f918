"""Every read of the observatory, scoped by who asks: a seller's queries carry their account."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from observatory.accounts import Viewer
from store.models import Account, Event, Listing, Snapshot
from store.utc_day import as_date, utc_day
from vigie.registration import normal_account_name

FEE_KINDS = ("shipping_fee_change", "fee_schedule_change")


@dataclass(frozen=True)
class ListingFilter:
    marketplace: str | None = None
    state: str | None = None
    account: str | None = None
    search: str | None = None
    include_removed: bool = False


def scoped_listings(viewer: Viewer) -> Select[Any]:
    query = select(Listing)
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    return query


def visible_listing(session: Session, viewer: Viewer, listing_id: int) -> Listing | None:
    """The listing if this viewer may read it; None otherwise (a stranger's listing looks missing)."""
    return session.scalar(scoped_listings(viewer).where(Listing.id == listing_id))


def listings(session: Session, viewer: Viewer, wanted: ListingFilter = ListingFilter()) -> Sequence[Listing]:
    query = scoped_listings(viewer).options(selectinload(Listing.account), selectinload(Listing.recipients))
    if not wanted.include_removed:
        query = query.where(Listing.active.is_(True))
    if wanted.marketplace:
        query = query.where(Listing.marketplace == wanted.marketplace)
    if wanted.state:
        query = query.where(Listing.state.is_(None) if wanted.state == "unknown" else Listing.state == wanted.state)
    if wanted.account:
        query = query.join(Account).where(Account.name == normal_account_name(wanted.account))
    if wanted.search:
        like = f"%{wanted.search.strip()}%"
        query = query.where(or_(Listing.canonical_url.ilike(like), Listing.label.ilike(like),
                                Listing.seller.ilike(like), Listing.marketplace_ref.ilike(like)))
    return session.scalars(query.order_by(Listing.id)).all()


def events(session: Session, viewer: Viewer, *, listing_id: int | None = None, kind: str | None = None,
           since: datetime | None = None, limit: int = 500) -> Sequence[Event]:
    query = select(Event).join(Listing).options(selectinload(Event.listing))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    if listing_id is not None:
        query = query.where(Event.listing_id == listing_id)
    if kind:
        query = query.where(Event.kind == kind)
    if since is not None:
        query = query.where(Event.detected_at >= since)
    return session.scalars(query.order_by(Event.detected_at.desc(), Event.id.desc()).limit(limit)).all()


def facets(session: Session, viewer: Viewer) -> dict[str, list[str]]:
    """The values the listing filters offer."""
    rows = session.execute(scoped_listings(viewer).with_only_columns(Listing.marketplace, Listing.state)
                           .distinct()).all()
    accounts: list[str] = []
    if viewer.reads_everything:
        accounts = list(session.scalars(select(Account.name).order_by(Account.name)))
    return {"marketplaces": sorted({r.marketplace for r in rows}),
            "states": sorted({r.state or "unknown" for r in rows}), "accounts": accounts}


@dataclass(frozen=True)
class WeekRow:
    marketplace: str
    week: str  # ISO week, e.g. 2026-W10
    delistings: int
    offers_gone: int
    fee_changes: int
    checks: int
    blocked: int

    @property
    def blocked_rate(self) -> str:
        return f"{100 * self.blocked // self.checks}%" if self.checks else "—"


def _week(at: date | datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def dashboard(session: Session, viewer: Viewer, *, now: datetime, weeks: int = 12) -> list[WeekRow]:
    """Delistings, offers gone, fee changes and the blocked rate, per marketplace and ISO week."""
    since = now - timedelta(weeks=weeks)
    scope = [] if viewer.reads_everything else [Listing.account_id == viewer.account_id]
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for marketplace, kind, at in session.execute(
            select(Listing.marketplace, Event.kind, Event.detected_at).join(Listing)
            .where(Event.detected_at >= since, *scope)):
        key = {"delisted": "delistings", "offer_gone": "offers_gone"}.get(kind, "fee_changes" if kind in FEE_KINDS
                                                                          else None)
        if key:
            counts[(marketplace, _week(at))][key] += 1
    # snapshots are many (one per check): counted per marketplace and day by the database
    day = utc_day(Snapshot.fetched_at)
    for marketplace, on, checks, blocked in session.execute(
            select(Listing.marketplace, day, func.count(), func.sum(case((Snapshot.outcome == "blocked", 1), else_=0)))
            .join(Listing).where(Snapshot.fetched_at >= since, *scope).group_by(Listing.marketplace, day)):
        bucket = counts[(marketplace, _week(as_date(on)))]
        bucket["checks"] += checks
        bucket["blocked"] += int(blocked or 0)
    return [WeekRow(m, w, c["delistings"], c["offers_gone"], c["fee_changes"], c["checks"], c["blocked"])
            for (m, w), c in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]), reverse=True)]
