"""The JSON API (described at /openapi.json) and the CSV/JSON exports. Authorization: Bearer <token>."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sqlalchemy.orm import Session

from observatory import exports, queries
from observatory.accounts import Viewer
from observatory.api_schema import (BAD_BODY, COMMON, EMAILS, FORBIDDEN, MARKETPLACE, NOT_FOUND, TEXT, URL, QueryText,
                                    Since)
from observatory.deps import api_viewer, db
from observatory.ids import PathId, QueryId
from observatory.exports import bundle_response, wacz_download
from observatory.paging import DEFAULT_SIZE, LINK, Cursor, PageSize, link_header
from observatory.registering import NotAllowed, file_import, register, remove
from observatory.serialize import EVENT_COLUMNS, LISTING_COLUMNS
from store.serialize import event_json, listing_json, snapshot_json
from vigie.limits import CSV_UPLOAD_BYTES, TEXT_CHARS
from vigie.listing_csv import CsvFileError
from vigie.registration import NewListing, RegistrationError
from vigie.report_text import ReportFileError

router = APIRouter(prefix="/api", tags=["api"], responses=COMMON)


class ListingIn(BaseModel):
    url: str = Field(json_schema_extra=URL, description="an http(s) product page")
    marketplace: str | None = Field(None, json_schema_extra=MARKETPLACE)
    seller: str | None = Field(None, json_schema_extra=TEXT)
    emails: list[str] = Field(default_factory=list, json_schema_extra=EMAILS)
    label: str | None = Field(None, json_schema_extra=TEXT)
    every: str | None = Field(None, description="check interval such as 30m, 1h, 1d (minimum 5m)")
    browser: bool = Field(False, description="always check this listing in Chromium (JavaScript-built pages)")
    account: str | None = Field(None, description=f"admins only: the seller account (at most {TEXT_CHARS} "
                                "characters, one line); sellers always use theirs, whatever this says")


def _listing(session: Session, viewer: Viewer, listing_id: int):
    listing = queries.visible_listing(session, viewer, listing_id)
    if listing is None:
        raise HTTPException(404, f"no listing {listing_id}")
    return listing


def _filter(marketplace: str | None, state: str | None, account: str | None, q: str | None):
    return queries.ListingFilter(marketplace, state, account, q)


def _paged(request: Request, response: Response, page: queries.Page[Any], to_json) -> list[dict[str, Any]]:
    response.headers.update(link_header(request, page.next))
    return [to_json(row) for row in page.rows]


def _bad_cursor(exc: queries.BadCursor) -> HTTPException:
    return HTTPException(422, str(exc))


@router.get("/listings", summary="Listings this token may read, by id, a page at a time",
            responses={200: {"headers": LINK}})
def list_listings(request: Request, response: Response, marketplace: QueryText = None, state: QueryText = None,
                  account: QueryText = None, q: QueryText = None, cursor: Cursor = None,
                  limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
                  session: Session = Depends(db)) -> list[dict[str, Any]]:
    try:
        page = queries.listings_page(session, viewer, _filter(marketplace, state, account, q), cursor=cursor,
                                     limit=limit)
    except queries.BadCursor as exc:
        raise _bad_cursor(exc) from None
    return _paged(request, response, page, listing_json)


@router.post("/listings", status_code=201, summary="Register a listing",
             responses={**BAD_BODY, **FORBIDDEN})
def create_listing(body: ListingIn, request: Request, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> dict[str, Any]:
    config = request.app.state.config
    new = NewListing(url=body.url, marketplace=body.marketplace, seller=body.seller, emails=tuple(body.emails),
                     label=body.label, every=body.every, browser=body.browser)
    try:
        listing = register(session, viewer, new, account=body.account, config=config)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except RegistrationError as exc:
        raise HTTPException(422, str(exc)) from None
    data = listing_json(listing)
    session.commit()
    return data


@router.post("/import", summary="Import a CSV of URLs or a marketplace listing report (Amazon, eBay, Mirakl)",
             responses={**BAD_BODY, **FORBIDDEN})
def import_listings(request: Request, file: UploadFile = File(..., description="the file, as multipart"),
                    site: QueryText = None, sync: bool = False, account: QueryText = None,
                    viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> dict[str, Any]:
    """The format is recognised from the file's header and named in `format`; `site` (amazon.fr, darty.com...) is
    needed for an Amazon or Mirakl report the first time (then remembered for the account); `sync` stops watching
    the account's listings of that report's site that it no longer has. Refused rows are listed by line; 422 when
    the file cannot be read or no row could be imported."""
    raw = file.file.read(CSV_UPLOAD_BYTES + 1)
    if len(raw) > CSV_UPLOAD_BYTES:
        raise HTTPException(413, f"the file is bigger than {CSV_UPLOAD_BYTES // 1_000_000} MB: split it")
    try:
        result = file_import(session, viewer, raw, account=account, site=site, sync=sync,
                             config=request.app.state.config)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except (CsvFileError, ReportFileError, RegistrationError) as exc:
        raise HTTPException(422, str(exc)) from None
    if result.unread():
        raise HTTPException(422, f"no row could be imported: line {result.refused[0][0]}: {result.refused[0][1]}")
    return result.as_json()


@router.get("/listings/{listing_id}", summary="One listing", responses=NOT_FOUND)
def get_listing(listing_id: PathId, viewer: Viewer = Depends(api_viewer),
                session: Session = Depends(db)) -> dict[str, Any]:
    return listing_json(_listing(session, viewer, listing_id))


@router.delete("/listings/{listing_id}", summary="Stop watching a listing (its history is kept)",
                responses={**FORBIDDEN, **NOT_FOUND})
def delete_listing(listing_id: PathId, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> dict[str, Any]:
    listing = _listing(session, viewer, listing_id)
    try:
        remove(listing, viewer)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    data = listing_json(listing)
    session.commit()
    return data


@router.get("/listings/{listing_id}/snapshots", summary="A listing's snapshots, oldest first, a page at a time",
            responses={**NOT_FOUND, 200: {"headers": LINK}})
def list_snapshots(request: Request, response: Response, listing_id: PathId, cursor: Cursor = None,
                   limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> list[dict[str, Any]]:
    _listing(session, viewer, listing_id)
    try:
        page = queries.snapshots_page(session, listing_id, cursor=cursor, limit=limit)
    except queries.BadCursor as exc:
        raise _bad_cursor(exc) from None
    return _paged(request, response, page, snapshot_json)


@router.get("/events", summary="Events, newest first, a page at a time", responses={200: {"headers": LINK}})
def list_events(request: Request, response: Response, listing_id: QueryId = None, kind: QueryText = None,
                since: Since = None, cursor: Cursor = None, limit: PageSize = DEFAULT_SIZE,
                viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> list[dict[str, Any]]:
    if since is not None and since.tzinfo is None:
        raise HTTPException(422, "since needs a time zone, e.g. 2026-03-01T00:00:00Z")
    try:
        page = queries.events_page(session, viewer, listing_id=listing_id, kind=kind, since=since, cursor=cursor,
                                   limit=limit)
    except queries.BadCursor as exc:
        raise _bad_cursor(exc) from None
    return _paged(request, response, page, event_json)


@router.get("/listings/{listing_id}/evidence", summary="The listing's evidence bundle (zip)",
            response_class=Response, responses={200: {"content": {"application/zip": {}}}, **NOT_FOUND})
def evidence(listing_id: PathId, request: Request, viewer: Viewer = Depends(api_viewer),
             session: Session = Depends(db)) -> Response:
    _listing(session, viewer, listing_id)
    config = request.app.state.config
    return bundle_response(session, listing_id, now=config.clock(), tsa_certs=config.tsa_certs)


@router.get("/listings/{listing_id}/evidence.wacz", summary="The listing's evidence as a signed WACZ web archive",
            response_class=Response, responses={200: {"content": {"application/wacz": {}}}, **NOT_FOUND})
def evidence_wacz(listing_id: PathId, request: Request, viewer: Viewer = Depends(api_viewer),
                  session: Session = Depends(db)) -> Response:
    _listing(session, viewer, listing_id)
    return wacz_download(request.app.state.config, session, listing_id)


@router.get("/export/listings.{fmt}", summary="Export listings as CSV or JSON (streamed)", response_class=Response)
def export_listings(request: Request, fmt: Literal["csv", "json"], marketplace: QueryText = None,
                    state: QueryText = None, account: QueryText = None, q: QueryText = None,
                    viewer: Viewer = Depends(api_viewer)) -> Response:
    pages = exports.listing_pages(request.app.state.sessions, viewer, _filter(marketplace, state, account, q))
    return _export(pages, LISTING_COLUMNS, "listings", fmt)


@router.get("/export/events.{fmt}", summary="Export events as CSV or JSON (streamed)", response_class=Response)
def export_events(request: Request, fmt: Literal["csv", "json"], listing_id: QueryId = None,
                  kind: QueryText = None, viewer: Viewer = Depends(api_viewer)) -> Response:
    pages = exports.event_pages(request.app.state.sessions, viewer, listing_id=listing_id, kind=kind)
    return _export(pages, EVENT_COLUMNS, "events", fmt)


def _export(pages, columns: tuple[str, ...], name: str, fmt: str) -> Response:
    chunks = exports.csv_chunks(pages, columns) if fmt == "csv" else exports.json_chunks(pages)
    return exports.export_response(chunks, name, fmt)
