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


def _checks(sessions, count: int, *, start: int = 0) -> int:
    """`count` more snapshots of the store's first listing (bulk rows: the shapes, not the chain, are tested)."""
    from sqlalchemy import insert, select

    from store.models import Snapshot

    with session_scope(sessions) as session:
        listing_id = session.scalar(select(Listing.id).order_by(Listing.id).limit(1))
        session.execute(insert(Snapshot), [
            {"listing_id": listing_id, "seq": start + n + 1, "fetched_at": T0 + timedelta(minutes=start + n),
             "requested_url": "https://x.test/", "outcome": "listed", "chain_hash": "0" * 64}
            for n in range(count)])
    return listing_id


@pytest.mark.parametrize("as_json", [False, True])
def test_history_is_read_in_pages_whatever_its_length(vigie, sessions, statements, monkeypatch, as_json):
    import store.pages

    monkeypatch.setattr(store.pages, "PAGE", 10)
    _store(sessions, 1)
    listing_id = _checks(sessions, 30)
    command = ("history", str(listing_id), *(["--json"] if as_json else []))
    statements.clear()
    first = vigie(*command)
    counts = [len(statements)]
    _checks(sessions, 30, start=30)
    statements.clear()
    second = vigie(*command)
    counts.append(len(statements))
    assert first.code == second.code == 0, second.err
    assert counts[1] - counts[0] == 3, counts  # three more pages, not thirty more queries
    if as_json:
        assert [d["seq"] for d in second.json()] == list(range(1, 61))
    else:
        lines = second.out.splitlines()
        assert lines[0] == f"History of listing {listing_id}" and lines[1].startswith("seq")
        assert [line.split()[0] for line in lines[2:]] == [str(n) for n in range(1, 61)]


def test_history_pages_stay_whole_when_checks_are_recorded_meanwhile(sessions, monkeypatch):
    """Keyset pages by seq: a check recorded between two pages is read once, at the end, and nothing is skipped
    or repeated (OFFSET would shift)."""
    import store.pages

    monkeypatch.setattr(store.pages, "PAGE", 10)
    _store(sessions, 1)
    listing_id = _checks(sessions, 25)
    pages = store.pages.snapshot_pages(sessions, listing_id)
    seen = [d["seq"] for d in next(pages)]
    _checks(sessions, 5, start=25)
    seen += [d["seq"] for page in pages for d in page]
    assert seen == list(range(1, 31))


def test_the_human_list_is_plain_aligned_text_written_as_read(vigie, sessions):
    _store(sessions, 3)
    lines = vigie("list").out.splitlines()
    assert lines[0] == "Listings" and lines[1].split() == ["id", "marketplace", "state", "next", "check", "(UTC)",
                                                           "sku", "label", "url"]
    assert [line.split()[-1] for line in lines[2:]] == [f"https://x.test/p/{i}" for i in range(3)]
    assert len({line.index("https://") for line in lines[2:]}) == 1  # aligned
