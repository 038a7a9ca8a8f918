"""`vigie list` and `vigie events` read in keyset pages with their related rows loaded per page: the number of
SQL statements does not grow with the rows (a query per listing took 100 s at 100,000 listings), and
`--json` stays one valid JSON array, written as it is read."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event

from store.db import session_scope
from store.models import Account, Event, Listing, Recipient

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _store(sessions, count: int) -> None:
    with session_scope(sessions) as session:
        account = Account(name="shop", lang="fr", created_at=T0)
        account.recipients = [Recipient(email="a@example.org"), Recipient(email="b@example.org")]
        session.add(account)
        session.flush()
        listings = [Listing(account_id=account.id, url=f"https://x.test/p/{i}", canonical_url=f"https://x.test/p/{i}",
                            marketplace="generic", created_at=T0, next_check_at=T0, detector_state={},
                            recipients=list(account.recipients)) for i in range(count)]
        session.add_all(listings)
        session.flush()
        session.add_all([Event(listing_id=listing.id, kind="delisted", detected_at=T0 + timedelta(minutes=i % 7),
                               before="listed", after="gone") for i, listing in enumerate(listings)])


@pytest.fixture
def statements():
    """Counts the SQL statements every engine of this process sends."""
    counted = []

    def count(_conn, _cursor, sql, *_):
        counted.append(sql)

    event.listen(Engine, "before_cursor_execute", count)
    yield counted
    event.remove(Engine, "before_cursor_execute", count)


@pytest.mark.parametrize("command", [("list",), ("list", "--json"), ("events",), ("events", "--json")])
def test_statements_do_not_grow_with_rows(vigie, sessions, statements, command):
    counts = {}
    for total, size in ((50, 50), (500, 450)):
        _store(sessions, size) if total == 50 else _store_more(sessions, size)
        statements.clear()
        result = vigie(*command)
        assert result.code == 0, result.err
        counts[total] = len(statements)
        if "--json" in command:
            assert len(result.json()) == total
    assert counts[500] == counts[50], counts


def _store_more(sessions, count: int) -> None:
    with session_scope(sessions) as session:
        account = session.query(Account).one()
        listings = [Listing(account_id=account.id, url=f"https://y.test/p/{i}", canonical_url=f"https://y.test/p/{i}",
                            marketplace="generic", created_at=T0, next_check_at=T0, detector_state={},
                            recipients=list(account.recipients)) for i in range(count)]
        session.add_all(listings)
        session.flush()
        session.add_all([Event(listing_id=listing.id, kind="restored", detected_at=T0 + timedelta(minutes=i % 5),
                               before="gone", after="listed") for i, listing in enumerate(listings)])


def test_pages_keep_order_and_content(vigie, sessions, monkeypatch):
    import store.pages

    monkeypatch.setattr(store.pages, "PAGE", 7)  # many pages of a few rows
    _store(sessions, 30)
    listed = vigie("list", "--json").json()
    assert [d["id"] for d in listed] == sorted(d["id"] for d in listed) and len(listed) == 30
    assert all(d["emails"] == ["a@example.org", "b@example.org"] and d["account"] == "shop" for d in listed)
    events = vigie("events", "--json").json()
    assert [(e["detected_at"], e["id"]) for e in events] == sorted((e["detected_at"], e["id"]) for e in events)
    assert len({e["id"] for e in events}) == 30 and all(e["url"].startswith("https://x.test/p/") for e in events)
    assert json.loads(vigie("events", "--json", "--since", (T0 + timedelta(minutes=6)).isoformat()).out) == \
        [e for e in events if e["detected_at"] >= (T0 + timedelta(minutes=6)).isoformat()]
    table = vigie("list").out
    assert table.count("https://x.test/p/") == 30 and table.count("Listings") == 1


def test_an_empty_store_lists_an_empty_array(vigie):
    assert vigie("list", "--json").out.strip() == "[]"
    assert vigie("events", "--json").out.strip() == "[]"
