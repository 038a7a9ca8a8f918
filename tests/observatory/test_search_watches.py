"""Search watches in the observatory: the API (list, one, checks a page at a time) and the rank page."""
from __future__ import annotations

from datetime import timedelta

from store.db import session_scope
from store.models import Listing
from store.models_search import SearchCheck
from tests.observatory.conftest import NOW, app, client, log_in, world  # noqa: F401 (fixtures)
from vigie.search_watches import NewSearchWatch, add_search_watch

ALICE = "alice@example.org"


def _watch_with_checks(sessions, world) -> int:
    with session_scope(sessions) as s:
        listing = s.get(Listing, world.seeded.alice_listing)
        listing.marketplace, listing.canonical_url = "amazon", "https://www.amazon.fr/dp/B0ALICE001"
        s.flush()
        watch = add_search_watch(s, NewSearchWatch(listing.id, "tasse <bleue>"), allow_private=False, now=NOW)
        ranks = [(3, True, 4, []), (2, False, None, ["page 2: blocked: captcha"]), (1, True, None, [])]
        for seq, (days_ago, complete, position, reasons) in enumerate(ranks, 1):
            s.add(SearchCheck(watch_id=watch.listing_id, seq=seq, checked_at=NOW - timedelta(days=days_ago),
                              complete=complete, pages=2, position=position, reasons=reasons))
        return watch.listing_id


def test_the_api_lists_watches_and_their_checks(client, sessions, world):
    watch_id = _watch_with_checks(sessions, world)
    alice = {"Authorization": f"Bearer {world.tokens[ALICE]}"}
    watches = client.get("/api/search-watches", headers=alice).json()
    assert [(w["id"], w["query"], w["marketplace"], w["product_ref"]) for w in watches] == [
        (watch_id, "tasse <bleue>", "amazon", "B0ALICE001")]
    first = client.get(f"/api/search-watches/{watch_id}/checks?limit=2", headers=alice)
    assert [(c["seq"], c["complete"], c["position"]) for c in first.json()] == [(3, True, None), (2, False, None)]
    assert "after=2" in first.headers["link"]
    bob = {"Authorization": f"Bearer {world.tokens['bob@example.org']}"}
    assert client.get(f"/api/search-watches/{watch_id}", headers=bob).status_code == 404
    assert client.get("/api/search-watches", headers=bob).json() == []


def test_the_page_shows_the_rank_per_check(client, sessions, world):
    watch_id = _watch_with_checks(sessions, world)
    log_in(client, ALICE)
    page = client.get(f"/search-watches/{watch_id}")
    assert page.status_code == 200
    html = page.text
    assert "tasse &lt;bleue&gt;" in html and "<bleue>" not in html
    assert "#4" in html and "captcha" in html and "B0ALICE001" in html


def test_the_watchs_listing_page_has_the_p2b_timeline_of_a_drop(client, sessions, world):
    from store import snapshots
    from store.models import Event

    watch_id = _watch_with_checks(sessions, world)
    with session_scope(sessions) as s:
        for hours, outcome in [(72, "listed"), (48, "blocked"), (24, "listed"), (1, "listed")]:
            last = snapshots.append(s, watch_id, fetched_at=NOW - timedelta(hours=hours), requested_url="https://x",
                                    outcome=outcome, offers=[], reasons=[])
        s.add(Event(listing_id=watch_id, snapshot_id=last.id, kind="search_dropped", detected_at=NOW,
                    before="#4", after="absent",
                    details={"last_seen": (NOW - timedelta(hours=72)).isoformat(), "query": "tasse"}))
    log_in(client, ALICE)
    page = client.get(f"/listings/{watch_id}")
    assert page.status_code == 200 and 'id="p2b"' in page.text


def test_the_watchs_record_links_to_its_rank_page_and_shows_no_price_chart(client, sessions, world):
    watch_id = _watch_with_checks(sessions, world)
    log_in(client, ALICE)
    record = client.get(f"/listings/{watch_id}").text
    assert f'<a href="/search-watches/{watch_id}">' in record and 'id="kind-link"' in record
    assert 'class="chart"' not in record
    assert client.get(f"/search-watches/{watch_id}").status_code == 200
    listing = client.get(f"/listings/{world.seeded.alice_listing}").text
    assert 'id="kind-link"' not in listing
