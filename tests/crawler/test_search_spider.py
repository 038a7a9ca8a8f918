"""The search spider over real loopback HTTP against the sandbox: the first K results pages read and chained,
the organic rank counted across pages with paid placements apart, and walls, truncated pages or an unknown
layout recorded as incomplete walks that never move the detector (no event, however long they last)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store import snapshots
from store.db import make_engine, session_factory, session_scope
from store.models import Blob, Event, Listing
from store.models_daily import MarketplaceDay
from store.models_search import SearchCheck
from tests.cli.runner import Vigie


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{n:02d}", title=f"Bol grès {n}", price=Decimal("9.90"), seller="Atelier")
                      for n in range(25))
    with run_in_thread(catalog) as sandbox:
        sandbox.app.search.set(page_size=5, sponsored=["p07"])
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CONFIRMATIONS="2", VIGIE_SEARCH_RATE="50")
        engine = make_engine(database_url)
        yield sandbox, vigie, session_factory(engine)
        engine.dispose()


def checks(sessions, watch_id: int) -> list[SearchCheck]:
    with session_scope(sessions) as session:
        rows = session.scalars(select(SearchCheck).where(SearchCheck.watch_id == watch_id)
                               .order_by(SearchCheck.seq)).all()
        session.expunge_all()
        return list(rows)


def watched(vigie: Vigie, sandbox, product: str, query: str, *extra: str) -> dict:
    listing = vigie.ok("add", f"{sandbox.url}/p/{product}", "--json").json()
    return vigie.ok("search", "add", str(listing["id"]), query, *extra, "--json").json()


def test_a_walk_reads_k_pages_counts_organic_ranks_and_chains_them(world):
    sandbox, vigie, sessions = world
    watch = watched(vigie, sandbox, "p07", "bol grès", "--pages", "3")
    vigie.ok("check", "--all")
    (walk,) = checks(sessions, watch["id"])
    # p07 is the paid placement on page 1 and the 8th organic result (page 2): the rank is the organic one
    assert (walk.complete, walk.pages, walk.position, walk.sponsored, walk.total_results) == (True, 3, 8, True, 25)
    with session_scope(sessions) as session:
        pages = snapshots.history(session, watch["id"])
        assert len(pages) == 3 and snapshots.verify_chain(pages) == []
        assert pages[1].requested_url.endswith("/search?q=bol+gr%C3%A8s&page=2")
        assert pages[0].offers[0] == {"id": "p07", "position": None, "sponsored": True, "title": "Bol grès 7",
                                      "price": "9.90", "currency": "EUR"}
        assert walk.chain_hash == pages[-1].chain_hash and (walk.first_seq, walk.last_seq) == (1, 3)
        assert all(session.get(Blob, p.body_sha256) is not None for p in pages)
        day = session.scalars(select(MarketplaceDay).where(MarketplaceDay.marketplace == "sandbox")).one()
        assert day.checks >= 1


def test_beyond_the_first_k_pages_is_absent(world):
    sandbox, vigie, sessions = world
    watch = watched(vigie, sandbox, "p22", "bol grès")  # 23rd result: page 5, beyond K = 2
    vigie.ok("check", "--all")
    (walk,) = checks(sessions, watch["id"])
    assert (walk.complete, walk.pages, walk.position) == (True, 2, None)


@pytest.mark.parametrize("trouble, says", [({"wall_page": 2}, "page 2: blocked"),
                                           ({"short_page": 1}, "page 1: partial page")])
def test_a_wall_or_a_truncated_page_never_yields_an_event(world, trouble, says):
    sandbox, vigie, sessions = world
    watch = watched(vigie, sandbox, "p03", "bol grès")
    for _ in range(2):
        vigie.ok("check", "--all")  # the baseline: found at rank 4, twice
    sandbox.catalog.patch("p03", in_search=False)
    sandbox.app.search.set(**trouble)
    for _ in range(4):
        vigie.ok("check", "--all")
    walks = checks(sessions, watch["id"])
    assert [w.complete for w in walks] == [True, True, False, False, False, False]
    assert [w.position for w in walks] == [4, 4, None, None, None, None]
    assert any(says in reason for reason in walks[-1].reasons), walks[-1].reasons
    with session_scope(sessions) as session:
        assert session.scalars(select(Event)).all() == []
        assert session.get(Listing, watch["id"]).detector_state["streak"] == 0


def test_an_unknown_layout_is_no_answer(world):
    sandbox, vigie, sessions = world
    listing = vigie.ok("add", f"{sandbox.url}/p/p01", "--json").json()
    watch = vigie.ok("search", "add", str(listing["id"]), "bol", "--json").json()
    with session_scope(sessions) as session:  # the search URL now lands on a page that is no results page
        session.get(Listing, watch["id"]).canonical_url = f"{sandbox.url}/"
    vigie.ok("check", "--all")
    (walk,) = checks(sessions, watch["id"])
    assert not walk.complete and "unknown layout" in walk.reasons[0]


def test_the_searches_of_a_removed_listing_stop_with_it(world):
    sandbox, vigie, sessions = world
    watch = watched(vigie, sandbox, "p03", "bol grès")
    vigie.ok("remove", str(watch["listing_id"]))
    done = vigie.ok("check", "--all", "--json").json()
    (line,) = [r for r in done["results"] if r["listing_id"] == watch["id"]]
    assert "no longer watched" in line["reasons"][0]
    assert checks(sessions, watch["id"]) == [] and vigie.ok("search", "list", "--json").json() == []
    assert vigie.ok("check", "--all", "--json").json()["results"] == []
