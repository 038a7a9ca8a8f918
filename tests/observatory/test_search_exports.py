"""A search watch's positions exported as CSV and JSON (issue 27): streamed in keyset pages of short sessions like
the listing exports, oldest first, the columns the issue names; one statement per page, never one per row."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import insert

from observatory import exports
from observatory.search_queries import POSITION_COLUMNS
from store.db import session_scope
from store.models_search import SearchCheck
from tests.observatory.bulk import statements
from tests.observatory.conftest import NOW, app, client, log_in, world  # noqa: F401 (fixtures)
from vigie.search_watches import NewSearchWatch, add_search_watch

ALICE = "alice@example.org"


def watch_with(sessions, world, count: int) -> int:
    """A watch with `count` checks: every 7th incomplete (a captcha), every 5th complete one not found."""
    with session_scope(sessions) as s:
        watch = add_search_watch(s, NewSearchWatch(world.seeded.alice_listing, "lampe"), allow_private=False, now=NOW)
        s.execute(insert(SearchCheck), [
            {"watch_id": watch.listing_id, "seq": n, "checked_at": NOW - timedelta(hours=count - n),
             "complete": n % 7 != 0, "pages": 2, "sponsored": n % 5 == 0 and n % 7 != 0,
             "position": None if n % 7 == 0 or n % 5 == 0 else n % 30 + 1, "total_results": 1000 + n,
             "reasons": ["page 2: blocked: captcha", "=cmd"] if n % 7 == 0 else []}
            for n in range(1, count + 1)])
        return watch.listing_id


def test_the_csv_and_json_exports_have_every_check_oldest_first(client, sessions, world):
    watch_id = watch_with(sessions, world, 23)
    alice = {"Authorization": f"Bearer {world.tokens[ALICE]}"}
    got = client.get(f"/api/search-watches/{watch_id}/positions.csv", headers=alice)
    assert got.status_code == 200 and got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == f'attachment; filename="search-watch-{watch_id}-positions.csv"'
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert tuple(rows[0]) == POSITION_COLUMNS == ("checked_at", "complete", "position", "sponsored", "total_results",
                                                  "pages", "reasons")
    assert len(rows) == 23
    assert rows[0]["checked_at"] == (NOW - timedelta(hours=22)).isoformat() and rows[0]["checked_at"].endswith("+00:00")
    assert (rows[1]["complete"], rows[1]["position"], rows[1]["total_results"]) == ("True", "3", "1002")
    assert (rows[6]["complete"], rows[6]["position"], rows[6]["reasons"]) == (
        "False", "", "page 2: blocked: captcha; =cmd")  # a formula-like reason is inside the cell, not leading it
    assert (rows[4]["position"], rows[4]["sponsored"]) == ("", "True")  # not found organically, seen as an ad
    data = client.get(f"/api/search-watches/{watch_id}/positions.json", headers=alice).json()
    assert len(data) == 23 and list(data[0]) == list(POSITION_COLUMNS)
    assert data[6]["reasons"] == ["page 2: blocked: captcha", "=cmd"] and data[6]["position"] is None
    assert [d["checked_at"] for d in data] == sorted(d["checked_at"] for d in data)
    bob = {"Authorization": f"Bearer {world.tokens['bob@example.org']}"}
    assert client.get(f"/api/search-watches/{watch_id}/positions.csv", headers=bob).status_code == 404
    log_in(client, ALICE)  # the page's links: the same route with the browser's session
    page = client.get(f"/search-watches/{watch_id}").text
    assert f'href="/api/search-watches/{watch_id}/positions.csv"' in page
    assert client.get(f"/api/search-watches/{watch_id}/positions.json").json() == data


def test_the_export_reads_one_statement_per_page_whatever_the_rows(world, sessions, engine):
    watch_id = watch_with(sessions, world, 45)
    with statements(engine) as seen:
        sizes = [len(page) for page in exports.position_pages(sessions, watch_id, page_rows=10)]
    assert sizes == [10, 10, 10, 10, 5]
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len(sizes), selects
    text = "".join(exports.json_chunks(exports.position_pages(sessions, watch_id, page_rows=10)))
    assert [row["total_results"] for row in json.loads(text)] == list(range(1001, 1046))  # across pages, in order
