"""Streamed exports: listings and events read in keyset pages, each in a short session of its own, written out as
CSV or a JSON array as the pages come; evidence bundles written to a spooled file and sent from it.

Nothing holds the whole export: the server's memory stays flat however many rows there are, and no session (or
PostgreSQL snapshot) stays open while a slow client reads."""
from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import datetime
from typing import Any, BinaryIO, Callable, Iterator

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from observatory import queries
from observatory.accounts import Viewer
from observatory.evidence import write_bundle
from observatory.search_queries import checks_page, position_json, position_row
from store.serialize import event_json, listing_json

PAGE_ROWS = 1_000
SPOOL_BYTES = 1 << 20  # a bundle larger than this goes to a temporary file
CHUNK = 64 * 1024


def _pages(sessions: sessionmaker[Session], fetch: Callable[[Session, str | None], queries.Page[Any]],
           to_json: Callable[[Any], dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    cursor: str | None = None
    while True:
        with sessions() as session:  # read only: closing rolls back
            page = fetch(session, cursor)
            rows = [to_json(row) for row in page.rows]
        if rows:
            yield rows
        if page.next is None:
            return
        cursor = page.next


def listing_pages(sessions: sessionmaker[Session], viewer: Viewer, wanted: queries.ListingFilter, *,
                  page_rows: int = PAGE_ROWS) -> Iterator[list[dict[str, Any]]]:
    return _pages(sessions, lambda s, cursor: queries.listings_page(s, viewer, wanted, cursor=cursor,
                                                                    limit=page_rows), listing_json)


def event_pages(sessions: sessionmaker[Session], viewer: Viewer, *, listing_id: int | None = None,
                kind: str | None = None, page_rows: int = PAGE_ROWS) -> Iterator[list[dict[str, Any]]]:
    return _pages(sessions, lambda s, cursor: queries.events_page(s, viewer, listing_id=listing_id, kind=kind,
                                                                  cursor=cursor, limit=page_rows), event_json)


def position_pages(sessions: sessionmaker[Session], watch_id: int, *, csv_cells: bool = False,
                   page_rows: int = PAGE_ROWS) -> Iterator[list[dict[str, Any]]]:
    """A search watch's checks, oldest first (issue 27); the caller has checked that the viewer may read it."""
    return _pages(sessions, lambda s, cursor: checks_page(s, watch_id, cursor=cursor, limit=page_rows,
                                                          oldest_first=True),
                  position_row if csv_cells else position_json)


def _safe(value: Any) -> Any:
    # a cell starting with = + - @ (or a tab or CR before one) runs as a formula in a spreadsheet: quote it
    return f"'{value}" if isinstance(value, str) and value[:1] in "=+-@\t\r" else value


def csv_chunks(pages: Iterator[list[dict[str, Any]]], columns: tuple[str, ...]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for rows in pages:
        for row in rows:
            writer.writerow({k: _safe(v) for k, v in row.items()})
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def json_chunks(pages: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    """The same text as json.dumps(all_rows, ensure_ascii=False, indent=2), a page at a time."""
    first = True
    for rows in pages:
        items = ",\n".join("  " + json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
                           for row in rows)
        yield ("[\n" if first else ",\n") + items
        first = False
    yield "[]" if first else "\n]"


def export_response(chunks: Iterator[str], name: str, fmt: str) -> StreamingResponse:
    media_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse((chunk.encode() for chunk in chunks if chunk), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def bundle_response(session: Session, listing_id: int, *, now: datetime,
                    tsa_certs: bytes | None = None) -> StreamingResponse:
    """The listing's evidence bundle, written to a spooled file first (its size is then known), sent from it."""
    return _spooled(lambda spool: write_bundle(session, listing_id, now=now, fileobj=spool, tsa_certs=tsa_certs),
                    "application/zip", f"vigie-evidence-{listing_id}.zip")


def wacz_response(session: Session, listing_id: int, *, now: datetime, signer: Any) -> StreamingResponse:
    """The listing's evidence as a signed WACZ, spooled to disk past SPOOL_BYTES and streamed from there."""
    from observatory.wacz import write_wacz

    return _spooled(lambda spool: write_wacz(session, listing_id, now=now, fileobj=spool, signer=signer),
                    "application/wacz", f"vigie-evidence-{listing_id}.wacz")


def wacz_download(config: Any, session: Session, listing_id: int) -> StreamingResponse:
    """The WACZ route's answer: signed by the instance's key, kept in the data directory given by the CLI."""
    from fastapi import HTTPException

    from observatory.signing import instance_key
    from observatory.wacz import Signer

    if config.data_dir is None:
        raise HTTPException(404, "WACZ downloads need the instance's data directory (its signing key)")
    signer = Signer(instance_key(config.data_dir), tsa_certs=config.tsa_certs)
    return wacz_response(session, listing_id, now=config.clock(), signer=signer)


def _spooled(write: Callable[[BinaryIO], None], media_type: str, filename: str) -> StreamingResponse:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        write(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(CHUNK):
                yield chunk

    return StreamingResponse(chunks(), media_type=media_type, headers={
        "Content-Length": str(size), "Content-Disposition": f'attachment; filename="{filename}"'})
