"""Keyset pages on every list of the UI and the API: filters kept, bounded sizes, stable under inserts, and a
fixed number of SQL statements per page whatever the number of rows."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import insert

from store.db import session_scope
from store.models import Event
from tests.observatory.bulk import add_listings, statements
from tests.observatory.conftest import log_in
from tests.observatory.seed import T0


def bearer(world, email):
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def next_of(answer) -> str | None:
    """The Link header's rel="next" target."""
    found = re.search(r'<([^>]+)>;\s*rel="next"', answer.headers.get("link", ""))
    return found.group(1) if found else None


def walk(client, url, headers):
    """Every row of a paged API list, following the Link headers; and the number of pages."""
    rows, pages = [], 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        rows += answer.json()
        pages += 1
        url = next_of(answer)
    return rows, pages


def test_api_listings_come_in_pages_with_the_filters_kept(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 7)
    add_listings(sessions, world.seeded.bob_account, 4, marketplace="ebay", start=100)
    ivy = bearer(world, "ivy@example.org")
    rows, pages = walk(client, "/api/listings?limit=3", ivy)
    ids = [r["id"] for r in rows]
    assert len(ids) == 13 and ids == sorted(set(ids)) and pages == 5
    ebay, pages = walk(client, "/api/listings?limit=2&marketplace=ebay", ivy)
    assert len(ebay) == 4 and {r["marketplace"] for r in ebay} == {"ebay"} and pages == 2
    first = client.get("/api/listings?limit=2&marketplace=ebay&q=bulk", headers=ivy)
    assert "marketplace=ebay" in next_of(first) and "q=bulk" in next_of(first) and "limit=2" in next_of(first)
    last = client.get("/api/listings?limit=13", headers=ivy)
    assert len(last.json()) == 13 and next_of(last) is None  # exactly full: no empty page after it


def test_page_sizes_are_bounded_with_100_by_default(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 105)
    alice = bearer(world, "alice@example.org")
    first = client.get("/api/listings", headers=alice)
    assert len(first.json()) == 100 and next_of(first)
    assert len(client.get(next_of(first), headers=alice).json()) == 6
    assert len(client.get("/api/listings?limit=500", headers=alice).json()) == 106
    for path in ("/api/listings", "/api/events", f"/api/listings/{world.seeded.alice_listing}/snapshots"):
        for bad in ("limit=0", "limit=501", "cursor=nonsense", "cursor=" + "A" * 300):
            assert client.get(f"{path}?{bad}", headers=alice).status_code == 422, (path, bad)


def test_events_pages_are_stable_under_inserts(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 3, events=4)  # 12 events + alice's 3 seeded
    alice = bearer(world, "alice@example.org")
    first = client.get("/api/events?limit=5", headers=alice)
    seen = [e["id"] for e in first.json()]
    newest = first.json()[0]["detected_at"]
    with session_scope(sessions) as s:  # while paging: a newer event, and one as old as the page boundary
        boundary = first.json()[-1]
        s.execute(insert(Event), [
            {"listing_id": world.seeded.alice_listing, "kind": "restored", "detected_at": T0 + timedelta(days=30),
             "details": {}},
            {"listing_id": world.seeded.alice_listing, "kind": "restored", "details": {},
             "detected_at": T0.fromisoformat(boundary["detected_at"])}])
    rest, _ = walk(client, next_of(first), alice)
    seen += [e["id"] for e in rest]
    assert len(seen) == len(set(seen)) == 15 + 0  # the newer one is not seen; the tied one sorts before the cursor
    assert all(e["detected_at"] <= newest for e in rest)


def test_listings_pages_are_stable_under_inserts(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 6)
    alice = bearer(world, "alice@example.org")
    first = client.get("/api/listings?limit=3", headers=alice)
    before = [x["id"] for x in first.json()]
    add_listings(sessions, world.seeded.alice_account, 2, start=50)  # registered while the seller pages
    rest, _ = walk(client, next_of(first), alice)
    ids = before + [x["id"] for x in rest]
    assert len(ids) == len(set(ids)) == 9  # 7 there at the start, each once, and the 2 new ones at the end


def test_api_snapshots_come_in_pages(client, world):
    alice = bearer(world, "alice@example.org")
    rows, pages = walk(client, f"/api/listings/{world.seeded.alice_listing}/snapshots?limit=2", alice)
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows) and len(rows) == 5 and pages == 3


def html_next(page: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def test_the_listings_and_events_pages_link_to_the_next_page_with_filters_kept(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 5, events=1)
    add_listings(sessions, world.seeded.bob_account, 3, marketplace="ebay", start=100, events=1)
    log_in(client, "ivy@example.org")
    url, seen = "/listings?marketplace=ebay&limit=2", []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += re.findall(r'<a href="/listings/(\d+)">', page.text)
        url = html_next(page.text)
        assert url is None or ("marketplace=ebay" in url and url.startswith("/listings?"))
    assert len(seen) == len(set(seen)) == 3
    url, kinds = "/events?kind=price_change&limit=3", []
    while url:
        page = client.get(url).text
        kinds += re.findall(r'data-kind="(\w+)"', page)
        url = html_next(page)
    assert set(kinds) == {"price_change"} and len(kinds) == 2 + 8  # the seeded two and one per bulk listing
    assert client.get("/listings?cursor=nonsense").status_code == 400


@pytest.mark.parametrize("path", ["/api/listings", "/api/events", "/listings", "/events", "/api/listings/{id}/snapshots"])
def test_a_list_page_costs_the_same_statements_for_5_or_150_rows(client, world, sessions, engine, path):
    ivy = bearer(world, "ivy@example.org")
    if not path.startswith("/api"):
        log_in(client, "ivy@example.org")
    path = path.replace("{id}", str(world.seeded.alice_listing))
    counts = []
    for count, start in ((5, 0), (145, 1000)):
        add_listings(sessions, world.seeded.alice_account, count, start=start, events=1)
        with statements(engine) as seen:
            assert client.get(path, headers=ivy).status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_the_search_matches_text_anywhere_and_takes_wildcards_literally(client, world, sessions):
    add_listings(sessions, world.seeded.alice_account, 3)
    ivy = bearer(world, "ivy@example.org")

    def found(q):
        return sorted(x["id"] for x in client.get("/api/listings", params={"q": q}, headers=ivy).json())

    assert found("alice001") == [world.seeded.alice_listing]  # any case, any part of the URL
    assert found("BOB-SHOP") == [world.seeded.bob_listing]  # the seller
    assert len(found("bulk")) == 3 and len(found("B0BULK0000")) == 3
    assert found("%") == found("_") == found("\\") == []
