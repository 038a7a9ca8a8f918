"""One listing's page with a long history: its snapshots in keyset pages (newest first, stable under new checks),
the same SQL statements whatever the number of snapshots and events, no IN list longer than a page, the states
over time folded by the database as they are in Python, and each page's piece of the hash chain verified."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import insert, select, update

from observatory.history import state_runs as runs_in_python
from observatory.listing_view import state_runs
from store.db import session_scope
from store.models import Event, Snapshot
from store.snapshots import history
from tests.observatory.bulk import statements
from tests.observatory.conftest import log_in
from tests.observatory.seed import T0

OUTCOMES = ("listed", "listed", "blocked", "listed", "unavailable", "unavailable", "error", "gone")


def _more_checks(sessions, listing_id: int, count: int) -> None:
    """`count` more snapshots (bulk rows, no chain: shapes, not contents) and an event every tenth."""
    with session_scope(sessions) as s:
        last = s.scalar(select(Snapshot.seq).where(Snapshot.listing_id == listing_id).order_by(Snapshot.seq.desc())
                        .limit(1)) or 0
        ids = s.scalars(insert(Snapshot).returning(Snapshot.id), [
            {"listing_id": listing_id, "seq": last + n + 1, "fetched_at": T0 + timedelta(days=5, minutes=last + n),
             "requested_url": "https://x", "outcome": OUTCOMES[(last + n) % len(OUTCOMES)], "chain_hash": "0" * 64}
            for n in range(count)]).all()
        s.execute(insert(Event), [{"listing_id": listing_id, "snapshot_id": i, "kind": "price_change",
                                   "detected_at": T0 + timedelta(days=5, minutes=last + n), "details": {}}
                                  for n, i in enumerate(ids) if n % 10 == 0])


def _seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<input type="radio" name="a" value="(\d+)"', html)]


def _next(html: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def _longest_in_list(sql: str) -> int:
    return max([len(group.split(",")) for group in re.findall(r"\bIN \(([^()]*)\)", sql)] or [0])


def test_the_page_costs_the_same_statements_whatever_the_history(client, world, sessions, engine):
    log_in(client, "alice@example.org")
    listing = world.seeded.alice_listing
    counts = []
    for more, total in ((10, 15), (1500, 1515)):
        _more_checks(sessions, listing, more)
        with statements(engine) as seen:
            page = client.get(f"/listings/{listing}")
        assert page.status_code == 200
        counts.append(len(seen))
        assert max(map(_longest_in_list, seen)) <= 100, [s for s in seen if _longest_in_list(s) > 100]
        assert _seqs(page.text)[:2] == [total, total - 1] and len(_seqs(page.text)) == min(100, total)
    assert counts[0] == counts[1], counts


def test_snapshot_pages_are_newest_first_and_stable_under_new_checks(client, world, sessions):
    log_in(client, "alice@example.org")
    listing = world.seeded.alice_listing
    _more_checks(sessions, listing, 45)  # 50 snapshots in all
    first = client.get(f"/listings/{listing}?limit=20").text
    seen = _seqs(first)
    assert seen == list(range(50, 30, -1))
    _more_checks(sessions, listing, 7)  # checks recorded while the investigator reads
    url = _next(first)
    while url:
        page = client.get(url).text
        seen += _seqs(page)
        assert 'rel="first"' in page
        url = _next(page)
    assert seen == list(range(50, 0, -1))  # nothing repeated, nothing skipped
    assert _seqs(client.get(f"/listings/{listing}?limit=20").text)[0] == 57


def test_a_foreign_cursor_is_a_clear_400(client, world):
    log_in(client, "alice@example.org")
    answer = client.get(f"/listings/{world.seeded.alice_listing}?cursor=bm9wZQ")
    assert answer.status_code == 400 and "cursor" in answer.text


def test_the_database_folds_states_as_python_does(sessions, world):
    listing = world.seeded.alice_listing
    _more_checks(sessions, listing, 60)
    with session_scope(sessions) as s:
        assert state_runs(s, listing, limit=1000) == runs_in_python(history(s, listing))
        newest = state_runs(s, listing, limit=3)
        assert newest == runs_in_python(history(s, listing))[-3:]


def test_each_page_verifies_its_piece_of_the_chain(client, world, sessions):
    log_in(client, "alice@example.org")
    listing = world.seeded.alice_listing  # five chained snapshots
    second = client.get(f"/listings/{listing}?limit=2&cursor=" + _next(client.get(
        f"/listings/{listing}?limit=2").text).split("cursor=")[1]).text
    assert _seqs(second) == [3, 2] and "intact (2 snapshots)" in second  # anchored on snapshot 1's hash
    with session_scope(sessions) as s:
        s.execute(update(Snapshot).where(Snapshot.listing_id == listing, Snapshot.seq == 1)
                  .values(chain_hash="f" * 64))
    second = client.get(f"/listings/{listing}?limit=2&cursor=" + _next(client.get(
        f"/listings/{listing}?limit=2").text).split("cursor=")[1]).text
    assert "snapshot 2: prev_hash does not match" in second


def test_older_events_are_reached_page_by_page_from_the_listing(client, world, sessions):
    listing = world.seeded.alice_listing
    _more_checks(sessions, listing, 1500)  # 150 events more: beyond the page's newest 100
    with session_scope(sessions) as s:
        expected = set(s.scalars(select(Event.id).where(Event.listing_id == listing)))
    log_in(client, "alice@example.org")
    page = client.get(f"/listings/{listing}").text
    link = f'href="/events?listing_id={listing}"'
    assert link in page and "Only the newest 100 events are shown here." in page
    seen, url = [], f"/events?listing_id={listing}&limit=40"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        seen += [int(n) for n in re.findall(r'<td><a href="/listings/(\d+)">', answer.text)]
        url = _next(answer.text)
    assert len(seen) == len(expected) and set(seen) == {listing}


def test_a_listing_with_few_events_has_no_link_to_older_ones(client, world):
    log_in(client, "alice@example.org")
    assert "/events?listing_id=" not in client.get(f"/listings/{world.seeded.alice_listing}").text


def test_another_sellers_listing_events_stay_hidden(client, world):
    log_in(client, "bob@example.org")
    page = client.get(f"/events?listing_id={world.seeded.alice_listing}")
    assert page.status_code == 200 and "No events." in page.text and '<td><a href="/listings/' not in page.text
