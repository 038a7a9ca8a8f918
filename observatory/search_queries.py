"""The reads behind a search watch's page, API and exports (issue 27), scoped by who asks.

Checks are read in keyset pages on their per-watch sequence number (the unique (watch_id, seq) index serves
them), newest first for the page and the API, oldest first for the exports; the rank chart reads the newest
CHART_CHECKS checks and the newest CHART_EVENTS events in one statement each, whatever the history's length.
"""
from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from observatory import rank_chart
from observatory.accounts import Viewer
from observatory.i18n import Ui
from observatory.queries import PAGE_ROWS, Page, decode_cursor, encode_cursor
from store.models import Event, Listing
from store.models_search import SearchCheck, SearchWatch

CHART_CHECKS, CHART_EVENTS = 500, 100
# the export's columns, in this order (CSV header; JSON keys)
POSITION_COLUMNS = ("checked_at", "complete", "position", "sponsored", "total_results", "pages", "reasons")


def visible_watch(session: Session, viewer: Viewer, watch_id: int) -> SearchWatch:
    """The watch if this viewer may read it; 404 otherwise (another seller's watch looks missing)."""
    query = (select(SearchWatch).join(Listing, SearchWatch.listing_id == Listing.id)
             .where(SearchWatch.listing_id == watch_id))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    watch = session.scalar(query)
    if watch is None:
        raise HTTPException(404, f"no search watch {watch_id}")
    return watch


def checks_page(session: Session, watch_id: int, *, cursor: str | None = None, limit: int = PAGE_ROWS,
                oldest_first: bool = False) -> Page[SearchCheck]:
    """One page of a watch's checks after `cursor` (a Page.next; BadCursor for another token)."""
    query = select(SearchCheck).where(SearchCheck.watch_id == watch_id)
    if cursor is not None:
        (seq,) = decode_cursor(cursor, int)
        query = query.where(SearchCheck.seq > seq if oldest_first else SearchCheck.seq < seq)
    order = SearchCheck.seq if oldest_first else SearchCheck.seq.desc()
    rows = session.scalars(query.order_by(order).limit(limit + 1)).all()
    return Page(rows[:limit], encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None)


def chart(session: Session, watch_id: int, ui: Ui) -> rank_chart.RankChart:
    """The rank chart of the newest CHART_CHECKS checks, with the newest CHART_EVENTS events of the watch."""
    checks = session.execute(
        select(SearchCheck.checked_at, SearchCheck.complete, SearchCheck.position, SearchCheck.sponsored,
               SearchCheck.reasons)
        .where(SearchCheck.watch_id == watch_id).order_by(SearchCheck.seq.desc()).limit(CHART_CHECKS)).all()
    events = session.execute(
        select(Event.kind, Event.detected_at).where(Event.listing_id == watch_id, Event.kind.in_(rank_chart.MARKED))
        .order_by(Event.detected_at.desc(), Event.id.desc()).limit(CHART_EVENTS)).all()
    return rank_chart.build(list(reversed(checks)), list(reversed(events)), ui)


def position_json(row: SearchCheck) -> dict[str, Any]:
    """One check as the exports give it: the time in UTC, ISO 8601; no position when the walk was incomplete."""
    return {"checked_at": row.checked_at.astimezone(UTC).isoformat(), "complete": row.complete,
            "position": row.position, "sponsored": row.sponsored, "total_results": row.total_results,
            "pages": row.pages, "reasons": list(row.reasons or ())}


def position_row(row: SearchCheck) -> dict[str, Any]:
    """The same for a CSV cell each: the reasons in one cell, separated by "; "."""
    return {**position_json(row), "reasons": "; ".join(str(r) for r in row.reasons or ())}


def watches_of(session: Session, listing_id: int) -> list[SearchWatch]:
    """The search watches of one listing (removed ones too, last), for its page: at most 11 active and a few."""
    return list(session.scalars(
        select(SearchWatch).join(SearchWatch.target).options(contains_eager(SearchWatch.target))
        .where(SearchWatch.watched_id == listing_id)
        .order_by(Listing.active.desc(), SearchWatch.id_query.desc(), SearchWatch.listing_id).limit(50)))
