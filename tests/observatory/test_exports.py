"""Streamed exports: the same bytes as the whole-list exports they replace, read in keyset pages of short
sessions; evidence bundles written through a file, never whole in memory."""
from __future__ import annotations

import csv
import io
import json
import os
import tracemalloc
import zipfile
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from observatory import exports
from observatory.accounts import Viewer
from observatory.evidence import export_bundle, verify_bundle, write_bundle
from observatory.queries import ListingFilter
from observatory.serialize import EVENT_COLUMNS, LISTING_COLUMNS
from store import blobs
from store.db import session_scope
from store.models import Event, Listing
from store.serialize import event_json, listing_json
from store.snapshots import append
from tests.observatory.bulk import add_listings, statements
from tests.observatory.seed import T0

IVY = Viewer(user_id=3, email="ivy@example.org", role="investigator", account_id=None)


def whole_csv(rows, columns) -> str:
    """The export as it was built before streaming: one DictWriter over the whole list."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"'{v}" if isinstance(v, str) and v[:1] in "=+-@\t\r" else v) for k, v in row.items()})
    return out.getvalue()


def everything(sessions):
    with session_scope(sessions) as s:
        listings = [listing_json(x) for x in s.scalars(select(Listing).where(Listing.active.is_(True))
                    .options(selectinload(Listing.account), selectinload(Listing.recipients)).order_by(Listing.id))]
        events = [event_json(e) for e in s.scalars(select(Event).options(selectinload(Event.listing))
                                                   .order_by(Event.detected_at.desc(), Event.id.desc()))]
    return listings, events


def hostile(sessions, world):
    add_listings(sessions, world.seeded.alice_account, 4, events=2)
    with session_scope(sessions) as s:
        s.get(Listing, world.seeded.alice_listing).label = "=HYPERLINK(\"http://evil\")"
        s.get(Listing, world.seeded.bob_listing).seller = "Büro «ñ», \"quoted\"\nline"


def test_exports_are_the_bytes_they_were(client, world, sessions):
    hostile(sessions, world)
    listings, events = everything(sessions)
    ivy = {"Authorization": f"Bearer {world.tokens['ivy@example.org']}"}
    got = client.get("/api/export/listings.csv", headers=ivy)
    assert got.text == whole_csv(listings, LISTING_COLUMNS) and "'=HYPERLINK" in got.text
    assert got.headers["content-disposition"] == 'attachment; filename="listings.csv"'
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    got = client.get("/api/export/listings.json", headers=ivy)
    assert got.text == json.dumps(listings, ensure_ascii=False, indent=2)
    assert client.get("/api/export/events.csv", headers=ivy).text == whole_csv(events, EVENT_COLUMNS)
    assert client.get("/api/export/events.json", headers=ivy).text == json.dumps(events, ensure_ascii=False, indent=2)
    assert client.get("/api/export/events.json?kind=nothing", headers=ivy).text == "[]"
    # across page boundaries too
    pages = exports.listing_pages(sessions, IVY, ListingFilter(), page_rows=2)
    assert "".join(exports.json_chunks(pages)) == json.dumps(listings, ensure_ascii=False, indent=2)
    pages = exports.event_pages(sessions, IVY, page_rows=3)
    assert "".join(exports.csv_chunks(pages, EVENT_COLUMNS)) == whole_csv(events, EVENT_COLUMNS)


def test_an_export_reads_fixed_size_pages_in_a_fixed_number_of_statements(world, sessions, engine):
    add_listings(sessions, world.seeded.alice_account, 28, events=1)  # 30 listings, 32 events
    for make, per_page in ((lambda: exports.listing_pages(sessions, IVY, ListingFilter(), page_rows=10), 3),
                           (lambda: exports.event_pages(sessions, IVY, page_rows=10), 2)):
        with statements(engine) as seen:
            sizes = [len(page) for page in make()]
        assert sizes in ([10, 10, 10], [10, 10, 10, 2])
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == per_page * len(sizes), selects


def big_listing(sessions, world, bodies: int, size: int) -> int:
    with session_scope(sessions) as s:
        listing = s.get(Listing, world.seeded.bob_listing)
        for n in range(bodies):
            digest = blobs.put(s, os.urandom(size), media_type="text/html", now=T0)
            append(s, listing.id, fetched_at=T0 + timedelta(hours=n + 1), requested_url=listing.url,
                   final_url=listing.url, http_status=200, fetch_method="http", elapsed_ms=1, headers={},
                   outcome="listed", price=None, currency=None, shipping_fee=None, seller=None, title=None,
                   availability=None, offers=[], reasons=[], body_sha256=digest, screenshot_sha256=None)
            s.flush()
            s.expunge_all()
    return world.seeded.bob_listing


def test_a_bundle_is_written_without_holding_it_in_memory(world, sessions, tmp_path):
    listing_id = big_listing(sessions, world, bodies=32, size=250_000)
    with session_scope(sessions) as s:
        tracemalloc.start()
        try:
            with open(tmp_path / "b.zip", "wb") as out:
                write_bundle(s, listing_id, now=T0, fileobj=out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    size = (tmp_path / "b.zip").stat().st_size
    # one body at a time (with its compressed copy): a few times the largest body, not the bundle
    assert size > 8_000_000 and peak < size / 4, (size, peak)
    assert verify_bundle(tmp_path / "b.zip") == []
    with session_scope(sessions) as s:
        assert export_bundle(s, listing_id, now=T0) == (tmp_path / "b.zip").read_bytes()


def test_the_bundle_routes_stream_the_same_bundle(client, world, sessions):
    from tests.observatory.conftest import NOW, log_in
    ivy = {"Authorization": f"Bearer {world.tokens['ivy@example.org']}"}
    listing_id = world.seeded.alice_listing
    with session_scope(sessions) as s:
        expected = export_bundle(s, listing_id, now=NOW)
    got = client.get(f"/api/listings/{listing_id}/evidence", headers=ivy)
    assert got.content == expected and got.headers["content-length"] == str(len(expected))
    assert zipfile.ZipFile(io.BytesIO(got.content)).testzip() is None
    log_in(client, "ivy@example.org")
    assert client.get(f"/listings/{listing_id}/evidence.zip").content == expected
