"""Registering and removing search watches from the API and the web (issue 27): the rules of
vigie.search_watches hold there as on the command line (10 keyword watches per listing, an interval of 1 hour at
least, K pages, a threshold in range), a refusal is one line with nothing stored, and each seller reaches only
their own listings (404 for another's)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from store.db import session_scope
from store.models import Listing
from store.models_search import SearchWatch
from tests.observatory.conftest import NOW, app, client, csrf_of, log_in, world  # noqa: F401 (fixtures)

ALICE, BOB, IVY = "alice@example.org", "bob@example.org", "ivy@example.org"


def bearer(world, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def stored(sessions) -> tuple[int, int]:
    """(search watches, listings rows): a refused request changes neither."""
    with session_scope(sessions) as s:
        return (s.scalar(select(func.count()).select_from(SearchWatch)),
                s.scalar(select(func.count()).select_from(Listing)))


def test_a_seller_registers_reads_and_removes_a_watch(client, sessions, world):
    listing = world.seeded.alice_listing
    made = client.post("/api/search-watches", headers=bearer(world, ALICE),
                       json={"listing_id": listing, "query": "lampe de chevet", "pages": 3, "every": "12h",
                             "threshold": 4})
    assert made.status_code == 201, made.text
    watch = made.json()
    assert (watch["listing_id"], watch["query"], watch["id_query"], watch["pages"], watch["every_seconds"],
            watch["drop_threshold"], watch["active"]) == (listing, "lampe de chevet", False, 3, 43200, 4, True)
    assert watch["url"] == "https://www.amazon.fr/s?k=lampe+de+chevet&language=fr_FR"
    own = client.post("/api/search-watches", headers=bearer(world, ALICE), json={"listing_id": listing, "own_id": True})
    assert own.status_code == 201 and own.json()["id_query"] and own.json()["query"] == "B0ALICE001"
    assert own.json()["every_seconds"] == 86400 and own.json()["drop_threshold"] is None  # the defaults
    with session_scope(sessions) as s:
        assert s.get(SearchWatch, watch["id"]).drop_threshold == 4
    assert client.get(f"/api/search-watches/{watch['id']}", headers=bearer(world, BOB)).status_code == 404
    assert client.delete(f"/api/search-watches/{watch['id']}", headers=bearer(world, BOB)).status_code == 404
    assert client.delete(f"/api/search-watches/{watch['id']}", headers=bearer(world, IVY)).status_code == 403
    gone = client.delete(f"/api/search-watches/{watch['id']}", headers=bearer(world, ALICE))
    assert gone.status_code == 200 and gone.json()["active"] is False
    again = client.delete(f"/api/search-watches/{watch['id']}", headers=bearer(world, ALICE))
    assert again.status_code == 200 and again.json()["active"] is False  # removed stays removed
    listed = client.get("/api/search-watches", headers=bearer(world, ALICE)).json()
    assert [w["id"] for w in listed] == [own.json()["id"]]
    # the same query again: the removed watch comes back with its history, not a second one
    back = client.post("/api/search-watches", headers=bearer(world, ALICE),
                       json={"listing_id": listing, "query": "lampe de chevet"})
    assert back.status_code == 201 and back.json()["id"] == watch["id"] and back.json()["drop_threshold"] is None


@pytest.mark.parametrize("body, status, says", [
    ({"query": "lampe", "pages": 9}, 422, "--pages: from 1 to 5, got 9"),
    ({"query": "lampe", "pages": 0}, 422, "--pages: from 1 to 5, got 0"),
    ({"query": "lampe", "threshold": -1}, 422, "--threshold: from 0 to 200 positions, got -1"),
    ({"query": "lampe", "every": "soon"}, 422, "--every"),
    ({"query": "   "}, 422, "the query is empty"),
    ({"query": "lampe", "own_id": True}, 422, "not both"),
    ({"query": "ligne\nautre"}, 422, "one line"),
    ({"query": "x" * 201}, 422, "at most 200"),
    ({"query": "lampe", "listing_id": 424242}, 404, "no listing 424242"),
    ({"query": "lampe", "listing_id": "bob"}, 404, "no listing"),  # Bob's listing: as if it did not exist
])
def test_bad_input_is_refused_with_its_reason_and_nothing_is_stored(client, sessions, world, body, status, says):
    before = stored(sessions)
    if body.get("listing_id") == "bob":
        body = {**body, "listing_id": world.seeded.bob_listing}
    answer = client.post("/api/search-watches", headers=bearer(world, ALICE),
                         json={"listing_id": world.seeded.alice_listing, **body})
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and says in detail and "\n" not in detail
    assert stored(sessions) == before


def test_the_eleventh_keyword_watch_and_a_second_id_query_are_refused(client, sessions, world):
    alice, listing = bearer(world, ALICE), world.seeded.alice_listing
    for n in range(10):
        assert client.post("/api/search-watches", headers=alice,
                           json={"listing_id": listing, "query": f"lampe {n}"}).status_code == 201
    assert client.post("/api/search-watches", headers=alice, json={"listing_id": listing, "own_id": True}).status_code \
        == 201  # the id query comes on top of the ten
    before = stored(sessions)
    refused = client.post("/api/search-watches", headers=alice, json={"listing_id": listing, "query": "lampe 10"})
    assert refused.status_code == 422 and "already has 10 keyword searches" in refused.json()["detail"]
    twice = client.post("/api/search-watches", headers=alice, json={"listing_id": listing, "query": "b0alice001"})
    assert twice.status_code == 422 and "already has its id query" in twice.json()["detail"]
    assert stored(sessions) == before


def test_an_investigator_cannot_register_and_the_interval_minimum_is_an_hour(sessions, world):
    public = create_app(ObservatoryConfig(allow_private_hosts=False, clock=lambda: NOW), sessions)
    with TestClient(public) as client:
        body = {"listing_id": world.seeded.alice_listing, "query": "lampe"}
        assert client.post("/api/search-watches", headers=bearer(world, IVY), json=body).status_code == 403
        fast = client.post("/api/search-watches", headers=bearer(world, ALICE), json={**body, "every": "30m"})
        assert fast.status_code == 422 and "the minimum is 1h" in fast.json()["detail"]
        assert stored(sessions)[0] == 0
        assert client.post("/api/search-watches", headers=bearer(world, ALICE),
                           json={**body, "every": "1h"}).status_code == 201


def test_the_listing_page_form_adds_a_watch_and_the_watch_page_removes_it(client, sessions, world):
    listing = world.seeded.alice_listing
    log_in(client, ALICE)
    page = client.get(f"/listings/{listing}")
    assert 'id="add-search-watch"' in page.text
    csrf = csrf_of(page.text)
    added = client.post(f"/listings/{listing}/search-watches", follow_redirects=False,
                        data={"csrf": csrf, "query": "lampe de chevet", "pages": "2", "every": "", "threshold": "7"})
    assert added.status_code == 303 and added.headers["location"].startswith("/search-watches/")
    watch_id = int(added.headers["location"].rsplit("/", 1)[1])
    with session_scope(sessions) as s:
        watch = s.get(SearchWatch, watch_id)
        assert (watch.query, watch.drop_threshold, watch.target.every_seconds) == ("lampe de chevet", 7, 86400)
    own = client.post(f"/listings/{listing}/search-watches", follow_redirects=False,
                      data={"csrf": csrf, "own_id": "true", "pages": "1"})
    assert own.status_code == 303
    shown = client.get(f"/listings/{listing}").text
    assert "« lampe de chevet »" in shown and "B0ALICE001" in shown and f'href="/search-watches/{watch_id}"' in shown
    removed = client.post(f"/search-watches/{watch_id}/remove", data={"csrf": csrf}, follow_redirects=False)
    assert removed.status_code == 303
    with session_scope(sessions) as s:
        assert s.get(Listing, watch_id).active is False
    assert 'id="watch-removed"' in client.get(f"/search-watches/{watch_id}").text


def test_a_refused_form_shows_the_reason_keeps_what_was_typed_and_stores_nothing(client, sessions, world):
    listing = world.seeded.alice_listing
    log_in(client, ALICE)
    csrf = csrf_of(client.get(f"/listings/{listing}").text)
    before = stored(sessions)
    for data, says in [({"query": "lampe <b>", "pages": "9"}, "--pages: from 1 to 5, got 9"),
                       ({"query": "lampe <b>", "pages": "deux"}, "pages: a whole number, got &#39;deux&#39;"),
                       ({"query": "lampe <b>", "pages": "2", "threshold": "999"}, "--threshold: from 0 to 200")]:
        answer = client.post(f"/listings/{listing}/search-watches", data={"csrf": csrf, **data})
        assert answer.status_code == 400
        assert 'id="search-problem"' in answer.text and says in answer.text, answer.text[-3000:]
        assert 'value="lampe &lt;b&gt;"' in answer.text  # what was typed, escaped
    assert stored(sessions) == before
    log_in(client, BOB)
    other = client.post(f"/listings/{listing}/search-watches", data={"csrf": csrf_of(client.get("/register").text),
                                                                     "query": "lampe", "pages": "2"})
    assert other.status_code == 404 and stored(sessions) == before
