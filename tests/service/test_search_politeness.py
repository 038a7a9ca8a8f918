"""`vigie run` in one process keeps search pages apart (issue 27): a marketplace's search budget spent leaves its
search watches due, untouched, while listing checks go on; and however many search watches are due, the
listing checks keep their pace. Real HTTP over loopback to the sandbox, which counts the search pages it serves."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models import Event, Listing, Snapshot
from store.models_search import SearchCheck, SearchWatch
from tests.cli.runner import Vigie
from tests.service.live import environment, set_interval, start_service, stop_service, wait_until


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{i}", title=f"Bol grès {i}", price=Decimal("20.00"), seller="Atelier")
                      for i in range(8))
    with run_in_thread(catalog) as sandbox:
        sandbox.app.search.set(page_size=3)
        served: list[float] = []
        page = sandbox.app.search.page

        def counted(query, host):
            served.append(time.time())
            return page(query, host)

        sandbox.app.search.page = counted  # the sandbox's own reader, counting each search page it serves
        engine = make_engine(database_url)
        yield sandbox, served, session_factory(engine), tmp_path
        engine.dispose()


def _listing_checks(sessions, listing_id: int) -> int:
    with session_scope(sessions) as session:
        return session.scalar(select(func.count()).select_from(Snapshot).where(Snapshot.listing_id == listing_id))


def _walks(sessions) -> int:
    with session_scope(sessions) as session:
        return session.scalar(select(func.count()).select_from(SearchCheck))


def test_a_spent_search_budget_leaves_the_watch_due_and_listing_checks_going(world, database_url):
    sandbox, served, sessions, tmp = world
    # a walk reads K = 2 pages: the first fits in 3 pages a day, the second does not
    vigie = Vigie(tmp / "data", database_url, VIGIE_SEARCH_RATE="50", VIGIE_SEARCH_BUDGET="3")
    listing = vigie.ok("add", f"{sandbox.url}/p/p4", "--email", "v@example.org", "--every", "1h", "--json").json()
    watch = vigie.ok("search", "add", str(listing["id"]), "bol grès", "--every", "5m", "--json").json()
    set_interval(database_url, 2)
    log = tmp / "run.log"
    process = start_service(environment(vigie.env), log)
    try:
        wait_until(lambda: _walks(sessions) >= 1, timeout=60)
        wait_until(lambda: "search pages on sandbox" in log.read_text(), timeout=30)
        seen = _listing_checks(sessions, listing["id"])
        started = time.monotonic()
        wait_until(lambda: _listing_checks(sessions, listing["id"]) >= seen + 4, timeout=30)
        listing_pace = (time.monotonic() - started) / 4
        time.sleep(3)  # more ticks: the watch, due all along, is still not fetched
    finally:
        code, _ = stop_service(process, timeout=40)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert listing_pace < 5, listing_pace  # every 2 s (and a tick), as without searches
    assert len(served) == 2 and _walks(sessions) == 1  # one walk of two pages; none cut short, none stored after
    with session_scope(sessions) as session:
        row = session.get(Listing, watch["id"])
        due = row.next_check_at.replace(tzinfo=None)  # stored in UTC
        assert due <= datetime.now(UTC).replace(tzinfo=None) and row.claim_token is None  # still due
        assert session.scalars(select(Event).where(Event.listing_id == watch["id"])).all() == []
    assert text.count("search pages on sandbox") == 1, text[-3000:]  # said once that day
    assert "Traceback" not in text, text[-3000:]


def test_many_due_search_watches_do_not_starve_listing_checks(world, database_url):
    sandbox, served, sessions, tmp = world
    vigie = Vigie(tmp / "data", database_url, VIGIE_SEARCH_RATE="0.5", VIGIE_SEARCH_BUDGET="0")
    listing = vigie.ok("add", f"{sandbox.url}/p/p4", "--email", "v@example.org", "--every", "1h", "--json").json()
    watch = vigie.ok("search", "add", str(listing["id"]), "bol grès", "--every", "5m", "--json").json()
    set_interval(database_url, 2)
    # on the listing's own marketplace, as an Amazon search shares "amazon" with the product pages it looks for
    # (the sandbox's searches are "sandbox", its product pages "generic"); more of them than a batch holds
    _copies(sessions, watch["id"], 900, due=datetime.now(UTC) - timedelta(hours=1), marketplace="generic")
    process = start_service(environment(vigie.env), tmp / "run.log")
    try:
        started = time.monotonic()
        wait_until(lambda: _listing_checks(sessions, listing["id"]) >= 5, timeout=40)
        elapsed = time.monotonic() - started
    finally:
        code, _ = stop_service(process, timeout=40)
    assert code == 0, (tmp / "run.log").read_text()[-3000:]
    assert elapsed < 25, elapsed  # five checks two seconds apart, plus the service's start
    assert served, "the search watches were walked too, at their own pace"
    gaps = [b - a for a, b in zip(served, served[1:])]
    assert not gaps or min(gaps) > 0.9, gaps  # 2 s apart, Scrapy's jitter (half to one and a half) included


def _copies(sessions, watch_id: int, count: int, *, due: datetime, marketplace: str) -> None:
    """`count` more search watches like this one (their URLs made distinct), all due since `due`."""
    with session_scope(sessions) as session:
        target, watch = session.get(Listing, watch_id), session.get(SearchWatch, watch_id)
        skip = ("id", "canonical_url", "next_check_at", "marketplace")
        columns = [c.key for c in Listing.__table__.columns if c.key not in skip]
        for n in range(count):
            copy = Listing(**{key: getattr(target, key) for key in columns},
                           canonical_url=f"{target.canonical_url}&copy={n}", next_check_at=due,
                           marketplace=marketplace)
            session.add(copy)
            session.flush()
            session.add(SearchWatch(listing_id=copy.id, watched_id=watch.watched_id, query=watch.query,
                                    id_query=watch.id_query, product_ref=watch.product_ref, pages=watch.pages,
                                    marketplace=marketplace))


def _all_due(sessions) -> None:
    with session_scope(sessions) as session:
        session.execute(update(Listing).values(next_check_at=datetime.now(UTC) - timedelta(minutes=1)))


def test_vigie_check_passes_share_the_days_search_budget_through_the_database(world, database_url):
    """A cron job's `vigie check` every few minutes: each pass is a process of its own, and the second finds the
    first's walk stored, so the budget holds: its walk is not started, the watch stays due, listings go on."""
    sandbox, served, sessions, tmp = world
    vigie = Vigie(tmp / "data", database_url, VIGIE_SEARCH_RATE="50", VIGIE_SEARCH_BUDGET="3")  # K = 2 pages
    listing = vigie.ok("add", f"{sandbox.url}/p/p4", "--email", "v@example.org", "--every", "1h", "--json").json()
    watch = vigie.ok("search", "add", str(listing["id"]), "bol grès", "--every", "5m", "--json").json()
    _all_due(sessions)
    first = vigie.ok("check", "--json").json()
    assert {r["listing_id"] for r in first["results"]} == {listing["id"], watch["id"]} and first["left_due"] == []
    assert len(served) == 2 and _walks(sessions) == 1
    with session_scope(sessions) as session:
        events = session.scalar(select(func.count()).select_from(Event).where(Event.listing_id == watch["id"]))
    _all_due(sessions)
    second = vigie("check", "--json")
    assert second.code == 0, second.err[-3000:]
    assert second.json()["left_due"] == [watch["id"]]
    assert [r["listing_id"] for r in second.json()["results"]] == [listing["id"]]  # listing checks go on
    assert "search budget (VIGIE_SEARCH_BUDGET) of sandbox is spent" in second.err and "Traceback" not in second.err
    assert len(served) == 2 and _walks(sessions) == 1  # no page fetched, no walk stored
    assert _listing_checks(sessions, listing["id"]) == 2
    with session_scope(sessions) as session:
        row = session.get(Listing, watch["id"])
        assert row.next_check_at.replace(tzinfo=None) <= datetime.now(UTC).replace(tzinfo=None)  # still due
        assert row.claim_token is None
        assert session.scalar(select(func.count()).select_from(Event)
                              .where(Event.listing_id == watch["id"])) == events  # no event of its own
    plain = vigie("check")  # said on the terminal, without failing the pass
    assert plain.code == 0 and "search watch(es) left due" in plain.err + plain.out, plain.err[-2000:]
