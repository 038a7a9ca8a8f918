"""The single-process search budget read from the database (issue 27): the walks stored earlier, by a previous
`vigie run` or another `vigie check`, are today's spending; yesterday's are not. Real database rows, inserted as
a previous process's recorder would have."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.search_limits import LeftDue
from crawler.stored_search_budget import StoredSearchBudget, pages_walked, stored_search_limits
from crawler.targets import CheckTarget
from store.db import session_scope
from store.models import Account, Listing
from store.models_search import SearchCheck, SearchWatch

NOW = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # half an hour into the UTC day
TODAY, YESTERDAY = NOW.date(), (NOW - timedelta(days=1)).date()


def _watch(session, account: Account, marketplace: str, n: int) -> int:
    watched = Listing(account_id=account.id, url=f"https://shop.test/p/{n}", canonical_url=f"https://shop.test/p/{n}",
                      marketplace="generic", next_check_at=NOW, created_at=NOW)
    target = Listing(account_id=account.id, url=f"https://shop.test/s?q={n}", canonical_url=f"https://shop.test/s?q={n}",
                     marketplace=marketplace, kind="search", next_check_at=NOW, created_at=NOW)
    session.add_all([watched, target])
    session.flush()
    session.add(SearchWatch(listing_id=target.id, watched_id=watched.id, query="bol", product_ref=f"p{n}", pages=2,
                            marketplace=marketplace))
    session.flush()
    return target.id


def _walked(sessions, watch_id: int, *walks: tuple[datetime, int]) -> None:
    """Walks stored as a previous process's recorder stores them: one row each, its pages and last page's time."""
    with session_scope(sessions) as session:
        for seq, (at, pages) in enumerate(walks, 1):
            session.add(SearchCheck(watch_id=watch_id, seq=seq, checked_at=at, complete=True, pages=pages, reasons=[]))


@pytest.fixture
def watches(sessions):
    with session_scope(sessions) as session:
        account = Account(name="Atelier", created_at=NOW)
        session.add(account)
        session.flush()
        ids = {name: _watch(session, account, market, n)
               for n, (name, market) in enumerate([("a", "sandbox"), ("b", "sandbox"), ("other", "amazon")])}
    # 7 pages today on sandbox (the first a second after midnight), 9 yesterday (the last a second before it);
    # 5 today on another marketplace
    _walked(sessions, ids["a"], (NOW - timedelta(hours=20), 5), (NOW - timedelta(minutes=30, seconds=1), 4),
            (NOW - timedelta(minutes=29, seconds=59), 3))
    _walked(sessions, ids["b"], (NOW - timedelta(minutes=5), 4))
    _walked(sessions, ids["other"], (NOW - timedelta(minutes=1), 5))
    return ids


def test_walks_stored_earlier_today_are_spent_and_yesterdays_are_not(sessions, watches):
    with session_scope(sessions) as session:
        assert pages_walked(session, "sandbox", TODAY) == 7
        assert pages_walked(session, "sandbox", YESTERDAY) == 9
        assert pages_walked(session, "nowhere", TODAY) == 0
    budget = StoredSearchBudget(sessions, 10)
    assert not budget.take("sandbox", 4, day=TODAY)  # 7 + 4 > 10: the walk is not started
    assert budget.spent(day=TODAY) == {"sandbox"}
    assert budget.take("sandbox", 3, day=TODAY)  # 7 + 3 fits
    assert not budget.take("sandbox", 1, day=TODAY)  # the 3 held in flight count until stored
    assert budget.take("amazon", 5, day=TODAY)  # another marketplace's own budget: 5 + 5
    # a fresh process (a restart, the next `vigie check`) finds the same spending in the database
    assert not StoredSearchBudget(sessions, 10).take("sandbox", 4, day=TODAY)
    # the day injected: yesterday had 9 pages, so 1 more fits then and 2 do not
    again = StoredSearchBudget(sessions, 10)
    assert not again.take("sandbox", 2, day=YESTERDAY) and again.take("sandbox", 1, day=YESTERDAY)
    assert StoredSearchBudget(sessions, 0).take("sandbox", 10**6, day=TODAY)  # 0: no budget


def test_a_walks_pages_are_held_until_its_row_is_stored_then_counted_there_once(sessions, watches):
    now = [NOW]
    limits = stored_search_limits(sessions, 12, clock=lambda: now[0])
    target = CheckTarget(listing_id=watches["b"], url="https://shop.test/s?q=1", marketplace="sandbox", kind="search")
    limits.reserve(target, 3)  # 7 stored + 3 held
    with pytest.raises(LeftDue):
        limits.reserve(CheckTarget(listing_id=watches["a"], url="https://shop.test/s?q=0", marketplace="sandbox",
                                   kind="search"), 3)
    limits.settle(target, 1)  # one page read: two go back, the page read stays held until its row is stored
    assert limits.budget.take("sandbox", 5, day=TODAY) is False  # 7 + 1 + 5 > 12
    with session_scope(sessions) as session:
        session.add(SearchCheck(watch_id=watches["b"], seq=2, checked_at=NOW, complete=True, pages=1, reasons=[]))
    limits.stored(target)  # now counted in the database, no longer held: 8 spent, not 9
    assert limits.budget.take("sandbox", 4, day=TODAY) and not limits.budget.take("sandbox", 1, day=TODAY)
    now[0] = NOW + timedelta(days=1)  # the next UTC day starts afresh
    fresh = CheckTarget(listing_id=watches["a"], url="https://shop.test/s?q=0", marketplace="sandbox", kind="search")
    limits.reserve(fresh, 12)
