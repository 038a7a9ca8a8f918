"""The storefront spider over real loopback HTTP against the sandbox: bounded walks, pages stored and
chained, and walks that cannot be read whole recorded as incomplete with their reason."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store import snapshots
from store.db import make_engine, session_factory, session_scope
from store.models import Blob, Event, Snapshot
from store.models_shops import ShopPass
from tests.cli.runner import Vigie

SELLER = "Atelier Dupont"


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{n:02d}", title=f"Article {n}", price=Decimal("12.50"), seller=SELLER)
                      for n in range(25))
    with run_in_thread(catalog) as sandbox:
        sandbox.app.storefronts.set("atelier-dupont", page_size=5)
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CONFIRMATIONS="2")
        engine = make_engine(database_url)
        yield sandbox, vigie, session_factory(engine)
        engine.dispose()


def passes(sessions, shop_id: int) -> list[ShopPass]:
    with session_scope(sessions) as session:
        rows = session.scalars(select(ShopPass).where(ShopPass.shop_id == shop_id).order_by(ShopPass.seq)).all()
        session.expunge_all()
        return list(rows)


def test_a_walk_reads_every_page_and_chains_them(world):
    sandbox, vigie, sessions = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--json").json()
    vigie.ok("check", "--all")
    (walk,) = passes(sessions, shop["id"])
    assert (walk.complete, walk.pages, len(walk.offers)) == (True, 5, 25)
    assert [o["position"] for o in walk.offers] == list(range(1, 26))
    assert walk.offers[0] == {"id": "p00", "position": 1, "title": "Article 0", "price": "12.50", "currency": "EUR",
                              "url": f"{sandbox.url}/p/p00"}
    with session_scope(sessions) as session:
        pages = snapshots.history(session, shop["id"])
        assert [p.requested_url for p in pages] == [f"{sandbox.url}/shop/atelier-dupont"] + [
            f"{sandbox.url}/shop/atelier-dupont?page={n}" for n in range(2, 6)]
        assert snapshots.verify_chain(pages) == []
        assert walk.chain_hash == pages[-1].chain_hash and (walk.first_seq, walk.last_seq) == (1, 5)
        assert all(session.get(Blob, p.body_sha256) is not None for p in pages)


def test_a_walk_stops_at_the_shops_max_pages_and_says_it_is_incomplete(world):
    sandbox, vigie, sessions = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--max-pages", "2", "--json").json()
    for _ in range(3):
        vigie.ok("check", "--all")
    walks = passes(sessions, shop["id"])
    assert [(w.complete, w.pages) for w in walks] == [(False, 2)] * 3
    assert "stopped after 2 pages" in walks[0].reasons[0]
    with session_scope(sessions) as session:
        assert session.scalars(select(Event)).all() == []


@pytest.mark.parametrize("trouble, says", [({"wall_page": 3}, "page 3: blocked"),
                                           ({"short_page": 2}, "page 2 listed 1 offer(s)")])
def test_a_walled_or_cut_page_never_makes_offers_missing(world, trouble, says):
    sandbox, vigie, sessions = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--json").json()
    vigie.ok("check", "--all")
    sandbox.app.storefronts.set("atelier-dupont", **trouble)
    for _ in range(3):
        done = vigie.ok("check", "--all", "--json").json()
        assert done["events"] == [] and done["results"][0]["outcome"] in ("blocked", "error")
    walks = passes(sessions, shop["id"])
    assert [w.complete for w in walks] == [True, False, False, False]
    assert any(says in reason for reason in walks[1].reasons), walks[1].reasons


def test_a_closed_shop_is_gone_once_with_the_p2b_notice_date(world):
    sandbox, vigie, sessions = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--email", "v@example.org", "--json").json()
    vigie.ok("check", "--all")
    sandbox.app.storefronts.set("atelier-dupont", closed=True)
    kinds = [vigie.ok("check", "--all", "--json").json()["events"] for _ in range(3)]
    assert kinds == [[], ["shop_gone"], []]
    with session_scope(sessions) as session:
        event = session.scalars(select(Event)).one()
        assert event.details["rule"] == "gone" and event.details["notice_days"] == "30"
        assert session.scalar(select(Snapshot.outcome).where(Snapshot.id == event.snapshot_id)) == "gone"


def test_register_new_watches_a_new_offer_as_a_listing(world):
    sandbox, vigie, sessions = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--register-new", "--email", "v@example.org",
                    "--json").json()
    assert shop["register_new"] is True
    assert vigie.ok("check", "--all", "--json").json()["events"] == []  # the first walk is the baseline
    sandbox.catalog.put(Product(id="p99", title="Nouveauté", price=Decimal("30.00"), seller=SELLER))
    assert vigie.ok("check", "--all", "--json").json()["events"] == ["shop_offer_new"]
    listings = {item["url"]: item for item in vigie.ok("list", "--json").json()}
    new = listings[f"{sandbox.url}/p/p99"]
    assert (new["kind"], new["label"], new["emails"], new["state"]) == ("listing", "Nouveauté", ["v@example.org"], "listed")
    with session_scope(sessions) as session:
        event = session.scalars(select(Event)).one()
        assert event.details["listing_id"] == str(new["id"]) and event.listing_id == shop["id"]
