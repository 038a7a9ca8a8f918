"""Search watches in the JSON API (issue 27): list, register, one, remove, its checks a page at a time and its
positions exported as CSV or JSON (streamed). Registering and removing go through vigie.search_watches, as the
CLI and the web form do, so the limits (10 keyword watches per listing, an interval of 1 hour at least, K pages)
are the same everywhere. The page and the forms are observatory.search_watch_pages."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory import exports, queries
from observatory.accounts import Viewer
from observatory.api_schema import BAD_BODY, COMMON, FORBIDDEN, NOT_FOUND, ONE_LINE
from observatory.deps import api_viewer, db
from observatory.ids import MAX_ID, PathId
from observatory.paging import DEFAULT_SIZE, LINK, PageSize
from observatory.search_queries import POSITION_COLUMNS, visible_watch
from observatory.shops import After, _next, targets_page
from store.models_search import DEFAULT_PAGES, MAX_DROP_THRESHOLD, MAX_PAGES, SearchCheck, SearchWatch
from vigie.registration import RegistrationError
from vigie.search_watches import (DEFAULT_DROP_THRESHOLD, QUERY_CHARS, NewSearchWatch, add_search_watch,
                                  remove_search_watch, search_watch_json)

api = APIRouter(prefix="/api", tags=["search watches"], responses=COMMON)
LISTING_NOT_FOUND = {404: NOT_FOUND[404] | {"description": "no such listing, or not one this token may change"}}


class SearchWatchIn(BaseModel):
    # bounds are described, not enforced by pydantic: vigie.search_watches refuses with its own one-line message
    listing_id: int = Field(description="the watched listing whose offer the results must show",
                            json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    query: str | None = Field(None, description="keywords, or the product's own id (ASIN, eBay item number, EAN) "
                              "to ask whether it is indexed at all", json_schema_extra={
                                  "maxLength": QUERY_CHARS, "pattern": ONE_LINE})
    own_id: bool = Field(False, description="query by the product's own id, as the marketplace shows it (then "
                         "leave `query` out)")
    pages: int = Field(DEFAULT_PAGES, description=f"results pages read per check (1 to {MAX_PAGES}); not in them "
                       "is absent", json_schema_extra={"minimum": 1, "maximum": MAX_PAGES})
    every: str | None = Field(None, description="check interval such as 12h, 1d (default 1d, minimum 1h)")
    threshold: int | None = Field(None, description=f"organic positions worse than the usual rank (the median of "
                                  f"recent checks) that make a drop; default {DEFAULT_DROP_THRESHOLD}",
                                  json_schema_extra={"minimum": 0, "maximum": MAX_DROP_THRESHOLD})


@api.get("/search-watches", summary="Search watches this token may read, by id, a page at a time",
         responses={200: {"headers": LINK}})
def list_watches(request: Request, response: Response, after: After = None, limit: PageSize = DEFAULT_SIZE,
                 viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> list[dict[str, Any]]:
    watches = targets_page(request, response, session, viewer, SearchWatch, after, limit)
    return [search_watch_json(watch) for watch in watches]


@api.post("/search-watches", status_code=201, summary="Watch where a listing's offer stands in its marketplace's "
          "search for a query", responses={**BAD_BODY, **FORBIDDEN, **LISTING_NOT_FOUND})
def create_watch(body: SearchWatchIn, request: Request, viewer: Viewer = Depends(api_viewer),
                 session: Session = Depends(db)) -> dict[str, Any]:
    data = register_watch(session, viewer, NewSearchWatch(
        body.listing_id, body.query, body.every, body.pages, body.threshold, body.own_id), request.app.state.config)
    session.commit()
    return data


def register_watch(session: Session, viewer: Viewer, new: NewSearchWatch, config) -> dict[str, Any]:
    """The API's and the form's way in: 403 for a reader, 404 for a listing not the viewer's, 422 with the one-line
    reason for a refused watch (nothing stored: the caller commits only on success)."""
    if not viewer.manages_listings:
        raise HTTPException(403, "investigators read search watches; sellers and admins register them")
    if not 1 <= new.listing_id <= MAX_ID or queries.visible_listing(session, viewer, new.listing_id) is None:
        raise HTTPException(404, f"no listing {new.listing_id}")
    try:
        watch = add_search_watch(session, new, allow_private=config.allow_private_hosts, now=config.clock())
    except RegistrationError as exc:
        session.rollback()
        raise HTTPException(422, exc.text) from None  # English in the API's JSON; a said.Text for the form
    return search_watch_json(watch)


@api.get("/search-watches/{watch_id}", summary="One search watch", responses=NOT_FOUND)
def get_watch(watch_id: PathId, viewer: Viewer = Depends(api_viewer),
              session: Session = Depends(db)) -> dict[str, Any]:
    return search_watch_json(visible_watch(session, viewer, watch_id))


@api.delete("/search-watches/{watch_id}", summary="Stop a search watch (its checks, pages and events are kept)",
            responses={**FORBIDDEN, **NOT_FOUND})
def delete_watch(watch_id: PathId, viewer: Viewer = Depends(api_viewer),
                 session: Session = Depends(db)) -> dict[str, Any]:
    watch = unwatch(session, viewer, watch_id)
    data = search_watch_json(watch)
    session.commit()
    return data


def unwatch(session: Session, viewer: Viewer, watch_id: int) -> SearchWatch:
    """Stop the watch; one already stopped stays so (a second DELETE answers the same)."""
    watch = visible_watch(session, viewer, watch_id)
    if not viewer.manages_listings:
        raise HTTPException(403, "investigators cannot remove search watches")
    return remove_search_watch(session, watch_id) if watch.target.active else watch


@api.get("/search-watches/{watch_id}/checks", summary="A search watch's checks, newest first: complete or why "
         "not, the offer's organic rank", responses={**NOT_FOUND, 200: {"headers": LINK}})
def list_checks(request: Request, response: Response, watch_id: PathId, after: After = None,
                limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
                session: Session = Depends(db)) -> list[dict[str, Any]]:
    visible_watch(session, viewer, watch_id)
    query = select(SearchCheck).where(SearchCheck.watch_id == watch_id)
    if after is not None:
        query = query.where(SearchCheck.seq < after)
    rows = list(session.scalars(query.order_by(SearchCheck.seq.desc()).limit(limit)))
    _next(request, response, rows, limit, rows[-1].seq if rows else 0)
    return [check_json(row) for row in rows]


def check_json(row: SearchCheck) -> dict[str, Any]:
    return {"seq": row.seq, "checked_at": row.checked_at.isoformat(), "complete": row.complete, "pages": row.pages,
            "position": row.position, "sponsored": row.sponsored, "total_results": row.total_results,
            "reasons": row.reasons, "snapshots": [row.first_seq, row.last_seq], "chain_hash": row.chain_hash}


@api.get("/search-watches/{watch_id}/positions.{fmt}", response_class=Response, responses=NOT_FOUND,
         summary="Export a search watch's positions, oldest first, as CSV or JSON (streamed): " +
         ", ".join(POSITION_COLUMNS))
def export_positions(request: Request, watch_id: PathId, fmt: Literal["csv", "json"],
                     viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> Response:
    visible_watch(session, viewer, watch_id)
    session.close()  # the export reads in short sessions of its own (observatory.exports)
    pages = exports.position_pages(request.app.state.sessions, watch_id, csv_cells=fmt == "csv")
    chunks = exports.csv_chunks(pages, POSITION_COLUMNS) if fmt == "csv" else exports.json_chunks(pages)
    return exports.export_response(chunks, f"search-watch-{watch_id}-positions", fmt)
