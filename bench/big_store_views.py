"""The observatory's reads on the big store, before and after issue 24's second part, timed in-process.

"before" runs the code as it was (kept here verbatim in spirit: the dashboard counting 5 weeks of snapshots,
the search OR-ing ILIKE over four columns, the listing page loading a listing's whole history); "after" runs
the project's code as it is. Each is run REPEATS times on a warm connection; the best and the median are kept.
"""
from __future__ import annotations

import statistics
import time
from collections import defaultdict
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from observatory import queries
from observatory.accounts import Viewer
from observatory.chart import build as build_chart
from observatory.evidence import timelines as whole_timelines
from observatory.history import state_runs
from observatory.listing_view import listing_context
from store.models import Event, Listing, Snapshot
from store.snapshots import history, verify_chain
from store.utc_day import as_date, utc_day

REPEATS = 5
INVESTIGATOR = Viewer(user_id=0, email="bench@example.org", role="investigator", account_id=None)
KINDS = ("delisted", "offer_gone", "shipping_fee_change", "fee_schedule_change")


def dashboard_before(session: Session, now: datetime) -> Any:
    since = queries.dashboard_since(now)
    counts: dict[tuple, int] = defaultdict(int)
    day = utc_day(Event.detected_at)
    for marketplace, kind, on, number in session.execute(
            select(Listing.marketplace, Event.kind, day, func.count()).join(Listing)
            .where(Event.detected_at >= since, Event.kind.in_(KINDS)).group_by(Listing.marketplace, Event.kind, day)):
        counts[(marketplace, kind, as_date(on))] += number
    day = utc_day(Snapshot.fetched_at)
    for marketplace, on, checks, blocked in session.execute(
            select(Listing.marketplace, day, func.count(), func.sum(case((Snapshot.outcome == "blocked", 1), else_=0)))
            .join(Listing).where(Snapshot.fetched_at >= since).group_by(Listing.marketplace, day)):
        counts[(marketplace, "checks", as_date(on))] += checks
    return _dashboard_rest(session, counts)


def dashboard_after(session: Session, now: datetime) -> Any:
    return _dashboard_rest(session, queries.dashboard(session, INVESTIGATOR, now=now))


def _dashboard_rest(session: Session, weeks: Any) -> Any:
    """What the dashboard page reads besides its weekly counts."""
    return weeks, queries.events(session, INVESTIGATOR, limit=10), queries.listing_count(session, INVESTIGATOR)


def search_before(session: Session, text: str) -> Any:
    like = queries._contains(text)
    return session.scalars(
        select(Listing).options(selectinload(Listing.account), selectinload(Listing.recipients))
        .where(Listing.active.is_(True), or_(*(c.ilike(like, escape="\\") for c in (
            Listing.canonical_url, Listing.label, Listing.seller, Listing.marketplace_ref))))
        .order_by(Listing.id).limit(101)).all()


def search_after(session: Session, text: str) -> Any:
    return queries.listings_page(session, INVESTIGATOR, queries.ListingFilter(search=text)).rows


def listing_before(session: Session, listing_id: int) -> Any:
    snapshots = history(session, listing_id)
    events = session.scalars(select(Event).where(Event.listing_id == listing_id)
                             .order_by(Event.detected_at, Event.id)).all()
    return (state_runs(snapshots), build_chart(snapshots), verify_chain(snapshots),
            whole_timelines(session, listing_id, snapshots, events))


def listing_after(session: Session, listing_id: int) -> Any:
    return listing_context(session, listing_id, cursor=None, limit=queries.PAGE_ROWS, a=None, b=None, seq=None)


def timed(sessions: sessionmaker[Session], work: Callable[[Session], Any]) -> tuple[float, float]:
    """(best, median) seconds of `work` over REPEATS runs, each in its own transaction."""
    seconds = []
    for _ in range(REPEATS):
        with sessions() as session:
            started = time.perf_counter()
            work(session)
            seconds.append(time.perf_counter() - started)
    return min(seconds), statistics.median(seconds)


def compare(sessions: sessionmaker[Session], *, now: datetime, long_listing: int) -> list[tuple[str, tuple, tuple]]:
    """(what, before (best, median), after (best, median)) for each observatory read."""
    rows = []
    for what, before, after in (
            ("dashboard `/` (data)", lambda s: dashboard_before(s, now), lambda s: dashboard_after(s, now)),
            ("search `/listings?q=produit 4242`", lambda s: search_before(s, "produit 4242"),
             lambda s: search_after(s, "produit 4242")),
            ("search, no match (`q=théière`)", lambda s: search_before(s, "théière"),
             lambda s: search_after(s, "théière")),
            (f"listing page, {_count(sessions, long_listing):,} snapshots", lambda s: listing_before(s, long_listing),
             lambda s: listing_after(s, long_listing))):
        rows.append((what, timed(sessions, before), timed(sessions, after)))
    return rows


def _count(sessions: sessionmaker[Session], listing_id: int) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Snapshot).where(Snapshot.listing_id == listing_id))
