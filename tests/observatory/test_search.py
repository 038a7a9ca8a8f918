"""The listing search: case-insensitive, its own % and _ literal, on both databases; on PostgreSQL served by the
pg_trgm GIN index (EXPLAIN), not by reading every listing."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from observatory.accounts import Viewer
from observatory.queries import ListingFilter, listings_page
from store.db import session_scope
from store.models import Account
from tests.observatory.bulk import add_listings
from tests.observatory.seed import T0

INVESTIGATOR = Viewer(user_id=1, email="ivy@example.org", role="investigator", account_id=None)


def _found(sessions, search: str) -> list[str]:
    with session_scope(sessions) as session:
        page = listings_page(session, INVESTIGATOR, ListingFilter(search=search))
        return [listing.label for listing in page.rows]


def _account(sessions) -> int:
    with session_scope(sessions) as session:
        account = Account(name="search-shop", created_at=T0)
        session.add(account)
        session.flush()
        return account.id


def test_search_ignores_case_and_takes_wildcards_literally(sessions):
    ids = add_listings(sessions, _account(sessions), 3)
    with session_scope(sessions) as session:
        for listing_id, label in zip(ids, ("Lampe Bleue", "lampe_rouge 50%", "Chaise")):
            session.execute(text("UPDATE listings SET label = :l WHERE id = :i"), {"l": label, "i": listing_id})
    assert _found(sessions, "LAMPE") == ["Lampe Bleue", "lampe_rouge 50%"]
    assert _found(sessions, "e_r") == ["lampe_rouge 50%"]  # `_` is not "any character"
    assert _found(sessions, "50%") == ["lampe_rouge 50%"]
    assert _found(sessions, "%") == ["lampe_rouge 50%"]
    assert _found(sessions, "b0bulk00002") == ["Chaise"]  # in the URL


def test_search_on_postgresql_is_served_by_the_trigram_index(sessions):
    with session_scope(sessions) as session:
        if session.bind.dialect.name != "postgresql":
            pytest.skip("pg_trgm is PostgreSQL's; SQLite searches with LIKE")
    account = _account(sessions)
    with session_scope(sessions) as session:  # 20,000 listings, one of them "Théière rare"
        session.execute(text(
            "INSERT INTO listings (account_id, kind, url, canonical_url, marketplace, label, every_seconds, browser, "
            "active, detector_state, created_at, next_check_at) SELECT :a, 'listing', 'https://shop.example/p/' || n, "
            "'https://shop.example/p/' || n, 'generic', CASE WHEN n = 777 THEN 'Théière rare' ELSE 'Produit ' || n "
            "END, 3600, false, true, '{}', now(), now() FROM generate_series(1, 20000) n"), {"a": account})
        session.execute(text("ANALYZE listings"))
        sent = []
        catch = lambda _c, _cur, sql, parameters, _ctx, _many: sent.append((sql, parameters))  # noqa: E731
        event.listen(session.bind, "before_cursor_execute", catch)
        try:
            page = listings_page(session, INVESTIGATOR, ListingFilter(search="théière"))
        finally:
            event.remove(session.bind, "before_cursor_execute", catch)
        assert [listing.label for listing in page.rows] == ["Théière rare"]
        sql, parameters = sent[0]  # the page's own query (then its accounts and recipients)
        plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN {sql}", parameters))
    assert "ix_listings_search_trgm" in plan, plan
    assert "Seq Scan on listings" not in plan, plan
