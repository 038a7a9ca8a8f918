"""The dashboard's weekly counts (observatory.queries.dashboard), grouped by the database, on its edges."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, text

from observatory.accounts import Viewer
from observatory.attention import OTHERS, SHOWN
from observatory.queries import dashboard, dashboard_since
from store.db import session_scope
from store.models import Account, Listing
from store.snapshots import append
from tests.observatory.bulk import add_listings, statements
from tests.observatory.conftest import log_in

SUNDAY_LATE = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # ISO week 10; already Monday in Paris
MONDAY_EARLY = datetime(2026, 3, 9, 0, 30, tzinfo=UTC)  # ISO week 11


def check(session, listing: Listing, at: datetime, outcome: str) -> None:
    append(session, listing.id, fetched_at=at, requested_url=listing.url, final_url=listing.url, http_status=200,
           fetch_method="http", elapsed_ms=10, headers={}, outcome=outcome, price=None, currency=None,
           shipping_fee=None, seller=None, title=None, availability=None, offers=[], reasons=[], body_sha256=None,
           screenshot_sha256=None)


def test_checks_and_blocks_are_counted_per_utc_week_and_marketplace(sessions):
    with session_scope(sessions) as s:
        shop = Account(name="shop", created_at=SUNDAY_LATE)
        s.add(shop)
        s.flush()
        amazon, ebay = (Listing(account_id=shop.id, url=u, canonical_url=u, marketplace=m, detector_state={},
                                created_at=SUNDAY_LATE, next_check_at=SUNDAY_LATE)
                        for u, m in (("https://www.amazon.fr/dp/B0DASH0001", "amazon"),
                                     ("https://www.ebay.fr/itm/123456789012", "ebay")))
        s.add_all([amazon, ebay])
        s.flush()
        check(s, amazon, SUNDAY_LATE, "listed")
        check(s, amazon, MONDAY_EARLY, "blocked")
        check(s, amazon, MONDAY_EARLY + timedelta(hours=1), "listed")
        check(s, ebay, MONDAY_EARLY, "blocked")
        check(s, amazon, SUNDAY_LATE - timedelta(weeks=20), "blocked")  # before the dashboard's 12 weeks

    with session_scope(sessions) as s:
        if s.bind.dialect.name == "postgresql":  # the day must not follow the connection's time zone
            s.execute(text("SET TIME ZONE 'Pacific/Auckland'"))
        investigator = Viewer(user_id=1, email="ivy@example.org", role="investigator", account_id=None)
        rows = dashboard(s, investigator, now=MONDAY_EARLY + timedelta(days=1))
    got = {(r.marketplace, r.week): (r.checks, r.blocked) for r in rows}
    assert got == {("amazon", "2026-W10"): (1, 0), ("amazon", "2026-W11"): (2, 1), ("ebay", "2026-W11"): (1, 1)}


def test_the_dashboard_costs_the_same_statements_and_loads_no_listing_per_row(client, world, sessions, engine):
    """Counts come from the per-day counts: 20 or 200 listings, the same statements, no ORM object per row, no
    statement on snapshots."""
    log_in(client, "ivy@example.org")
    loaded: list[int] = []

    def on_load(target, _context):
        loaded.append(target.id)

    event.listen(Listing, "load", on_load)
    try:
        counts = []
        for count, start in ((20, 0), (180, 1000)):
            add_listings(sessions, world.seeded.alice_account, count, start=start, snapshots=3, events=2)
            loaded.clear()
            with statements(engine) as seen:
                page = client.get("/")
            assert page.status_code == 200
            counts.append(len(seen))
            # the per-day counts are read, never the snapshots (10 million of them in a real deployment)
            assert not [sql for sql in seen if "snapshots" in sql], seen
            assert len(loaded) <= 10 + SHOWN + 1 + OTHERS + 1, len(loaded)
        assert f"{2 + 200} listings watched" in page.text
        assert counts[0] == counts[1], counts
    finally:
        event.remove(Listing, "load", on_load)


def test_the_dashboard_reads_a_bounded_window(sessions):
    assert dashboard_since(MONDAY_EARLY + timedelta(days=1)) == datetime(2026, 2, 9, tzinfo=UTC)  # 5 ISO weeks


def test_search_drops_are_counted_per_week_next_to_delistings(sessions):
    from store.daily_counts import count_for_listing

    with session_scope(sessions) as s:
        shop = Account(name="shop", created_at=SUNDAY_LATE)
        s.add(shop)
        s.flush()
        url = "https://www.amazon.fr/s?k=tasse&language=fr_FR"
        watch = Listing(account_id=shop.id, kind="search", url=url, canonical_url=url, marketplace="amazon",
                        detector_state={}, created_at=SUNDAY_LATE, next_check_at=SUNDAY_LATE)
        s.add(watch)
        s.flush()
        count_for_listing(s, watch.id, checks=[(MONDAY_EARLY, "listed")],
                          events=[(MONDAY_EARLY, "search_dropped"), (MONDAY_EARLY, "not_indexed")])
    with session_scope(sessions) as s:
        investigator = Viewer(user_id=1, email="ivy@example.org", role="investigator", account_id=None)
        (row,) = dashboard(s, investigator, now=MONDAY_EARLY + timedelta(days=1))
    assert (row.marketplace, row.week, row.search_drops, row.delistings, row.checks) == ("amazon", "2026-W11", 2, 0, 1)
