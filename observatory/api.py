"""The JSON API (described at /openapi.json) and the CSV/JSON exports. Authorization: Bearer <token>."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sqlalchemy.orm import Session

from observatory import queries
from observatory.accounts import Viewer
from observatory.api_schema import (BAD_BODY, COMMON, EMAILS, FORBIDDEN, MARKETPLACE, NOT_FOUND, TEXT, URL, QueryText,
                                    Since)
from observatory.deps import api_viewer, db
from observatory.ids import PathId, QueryId
from observatory.evidence import export_bundle
from observatory.registering import NotAllowed, register, remove
from observatory.serialize import EVENT_COLUMNS, LISTING_COLUMNS
from store.serialize import event_json, listing_json, snapshot_json
from store.snapshots import history
from vigie.limits import TEXT_CHARS
from vigie.registration import NewListing, RegistrationError

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


@router.get("/listings", summary="Listings this token may read")
def list_listings(marketplace: QueryText = None, state: QueryText = None, account: QueryText = None,
                  q: QueryText = None, viewer: Viewer = Depends(api_viewer),
                  session: Session = Depends(db)) -> list[dict[str, Any]]:
    return [listing_json(x) for x in queries.listings(session, viewer, _filter(marketplace, state, account, q))]


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


@router.get("/listings/{listing_id}/snapshots", summary="A listing's snapshots, oldest first", responses=NOT_FOUND)
def list_snapshots(listing_id: PathId, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> list[dict[str, Any]]:
    _listing(session, viewer, listing_id)
    return [snapshot_json(s) for s in history(session, listing_id)]


@router.get("/events", summary="Events, newest first")
def list_events(listing_id: QueryId = None, kind: QueryText = None, since: Since = None,
                viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> list[dict[str, Any]]:
    if since is not None and since.tzinfo is None:
        raise HTTPException(422, "since needs a time zone, e.g. 2026-03-01T00:00:00Z")
    return [event_json(e) for e in queries.events(session, viewer, listing_id=listing_id, kind=kind, since=since)]


@router.get("/listings/{listing_id}/evidence", summary="The listing's evidence bundle (zip)",
            response_class=Response, responses={200: {"content": {"application/zip": {}}}, **NOT_FOUND})
def evidence(listing_id: PathId, request: Request, viewer: Viewer = Depends(api_viewer),
             session: Session = Depends(db)) -> Response:
    _listing(session, viewer, listing_id)
    data = export_bundle(session, listing_id, now=request.app.state.config.clock())
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="vigie-evidence-{listing_id}.zip"'})


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # a cell starting with = + - @ (or a tab or CR before one) runs as a formula in a spreadsheet: quote it
        writer.writerow({k: (f"'{v}" if isinstance(v, str) and v[:1] in "=+-@\t\r" else v) for k, v in row.items()})
    return out.getvalue()


def _export(rows: list[dict[str, Any]], columns: tuple[str, ...], name: str, fmt: str) -> Response:
    if fmt == "csv":
        return Response(_csv(rows, columns), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(json.dumps(rows, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}.json"'})


@router.get("/export/listings.{fmt}", summary="Export listings as CSV or JSON", response_class=Response)
def export_listings(fmt: Literal["csv", "json"], marketplace: QueryText = None, state: QueryText = None,
                    account: QueryText = None, q: QueryText = None, viewer: Viewer = Depends(api_viewer),
                    session: Session = Depends(db)) -> Response:
    rows = [listing_json(x) for x in queries.listings(session, viewer, _filter(marketplace, state, account, q))]
    return _export(rows, LISTING_COLUMNS, "listings", fmt)


@router.get("/export/events.{fmt}", summary="Export events as CSV or JSON", response_class=Response)
def export_events(fmt: Literal["csv", "json"], listing_id: QueryId = None, kind: QueryText = None,
                  viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> Response:
    rows = [event_json(e) for e in queries.events(session, viewer, listing_id=listing_id, kind=kind, limit=100_000)]
    return _export(rows, EVENT_COLUMNS, "events", fmt)
