"""Search watches in the observatory (issue 27): the JSON API (/api/search-watches and each watch's checks, a
page at a time) and a page with the offer's organic rank per check (/search-watches/{id}). Routes of their own,
beside the listings' and the storefronts'."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from observatory.api_schema import COMMON, NOT_FOUND
from observatory.deps import api_viewer, db, page_viewer
from observatory.ids import PathId
from observatory.paging import DEFAULT_SIZE, LINK, PageSize
from observatory.shops import After, _next
from store.models import Listing
from store.models_search import SearchCheck, SearchWatch
from vigie.search_watches import search_watch_json

api = APIRouter(prefix="/api", tags=["search watches"], responses=COMMON)
pages = APIRouter(include_in_schema=False)
PAGE_CHECKS = 60  # the page shows the latest checks; the API pages through all of them


def visible_watch(session: Session, viewer: Viewer, watch_id: int) -> SearchWatch:
    query = (select(SearchWatch).join(Listing, SearchWatch.listing_id == Listing.id)
             .where(SearchWatch.listing_id == watch_id))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    watch = session.scalar(query)
    if watch is None:
        raise HTTPException(404, f"no search watch {watch_id}")
    return watch


@api.get("/search-watches", summary="Search watches this token may read, by id, a page at a time",
         responses={200: {"headers": LINK}})
def list_watches(request: Request, response: Response, after: After = None, limit: PageSize = DEFAULT_SIZE,
                 viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> list[dict[str, Any]]:
    query = select(SearchWatch).join(Listing, SearchWatch.listing_id == Listing.id).where(Listing.active.is_(True))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    if after is not None:
        query = query.where(SearchWatch.listing_id > after)
    watches = session.scalars(query.order_by(SearchWatch.listing_id).limit(limit)).all()
    _next(request, response, watches, limit, watches[-1].listing_id if watches else 0)
    return [search_watch_json(watch) for watch in watches]


@api.get("/search-watches/{watch_id}", summary="One search watch", responses=NOT_FOUND)
def get_watch(watch_id: PathId, viewer: Viewer = Depends(api_viewer),
              session: Session = Depends(db)) -> dict[str, Any]:
    return search_watch_json(visible_watch(session, viewer, watch_id))


@api.get("/search-watches/{watch_id}/checks", summary="A search watch's checks, newest first: complete or why "
         "not, the offer's organic rank", responses={**NOT_FOUND, 200: {"headers": LINK}})
def list_checks(request: Request, response: Response, watch_id: PathId, after: After = None,
                limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
                session: Session = Depends(db)) -> list[dict[str, Any]]:
    visible_watch(session, viewer, watch_id)
    rows = _checks(session, watch_id, limit, after)
    _next(request, response, rows, limit, rows[-1].seq if rows else 0)
    return [check_json(row) for row in rows]


def _checks(session: Session, watch_id: int, limit: int, after: int | None = None) -> list[SearchCheck]:
    query = select(SearchCheck).where(SearchCheck.watch_id == watch_id)
    if after is not None:
        query = query.where(SearchCheck.seq < after)
    return list(session.scalars(query.order_by(SearchCheck.seq.desc()).limit(limit)))


def check_json(row: SearchCheck) -> dict[str, Any]:
    return {"seq": row.seq, "checked_at": row.checked_at.isoformat(), "complete": row.complete, "pages": row.pages,
            "position": row.position, "sponsored": row.sponsored, "total_results": row.total_results,
            "reasons": row.reasons, "snapshots": [row.first_seq, row.last_seq], "chain_hash": row.chain_hash}


@pages.get("/search-watches/{watch_id}")
def watch_page(request: Request, watch_id: PathId, viewer: Viewer = Depends(page_viewer),
               session: Session = Depends(db)):
    watch = visible_watch(session, viewer, watch_id)
    return request.app.state.templates.TemplateResponse(
        request, "search_watch.html", {"viewer": viewer, "csrf": viewer.csrf_token, "watch": watch,
                                       "target": watch.target, "checks": _checks(session, watch_id, PAGE_CHECKS)})
