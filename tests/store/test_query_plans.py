"""The queries `vigie status` and retention run on every snapshot read through indexes (EXPLAIN), not a scan
of all snapshots: at 10 million rows a scan took 2 s."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, event, text

from store.db import session_scope
from store.models import Account, Listing
from store.status import recent_checks
from store.types import UTCDateTime

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SNAPSHOTS = 30_000  # one a minute for 3 weeks over 100 listings, a few dozen in the last hour


def _fill(session) -> None:
    account = Account(name="plans", lang="fr", created_at=NOW)
    session.add(account)
    session.flush()
    session.execute(Listing.__table__.insert(), [
        {"account_id": account.id, "kind": "listing", "url": f"https://x.test/p/{i}", "marketplace": "generic",
         "canonical_url": f"https://x.test/p/{i}", "every_seconds": 3600, "browser": False, "active": True,
         "detector_state": {}, "created_at": NOW, "next_check_at": NOW} for i in range(100)])
    first = session.scalar(text("SELECT min(id) FROM listings"))
    postgres = session.bind.dialect.name == "postgresql"
    minutes_ago = "n * interval '1 minute'" if postgres else None
    when = f"CAST(:now AS timestamptz) - {minutes_ago}" if postgres else \
        "strftime('%Y-%m-%d %H:%M:%f000', :now, '-' || n || ' minutes')"
    session.execute(text(
        f"WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {SNAPSHOTS - 1}) "
        "INSERT INTO snapshots (listing_id, seq, fetched_at, requested_url, fetch_method, headers, outcome, "
        f"offers, reasons, chain_hash) SELECT :first + n % 100, n / 100 + 1, {when}, 'https://x.test/', 'http', "
        "'{}', 'listed', '[]', '[]', 'x' FROM g").bindparams(bindparam("now", type_=UTCDateTime())),
        {"first": first, "now": NOW})
    session.execute(text("ANALYZE"))


def _plan(session, statement) -> str:
    """The database's plan for `statement`: run once to catch its SQL and parameters as the driver gets them."""
    sent = []

    def catch(_conn, _cursor, sql, parameters, _context, _many):
        sent.append((sql, parameters))

    event.listen(session.bind, "before_cursor_execute", catch)
    try:
        session.execute(statement).all()
    finally:
        event.remove(session.bind, "before_cursor_execute", catch)
    prefix = "EXPLAIN" if session.bind.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
    sql, parameters = sent[-1]
    rows = session.connection().exec_driver_sql(f"{prefix} {sql}", parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_status_counts_the_last_hour_through_the_fetched_at_index(sessions):
    with session_scope(sessions) as session:
        _fill(session)
        statement = recent_checks(since=NOW - timedelta(hours=1))
        assert session.execute(statement).one().checks == 61
        plan = _plan(session, statement)
    assert "ix_snapshots_fetched_at" in plan, plan
    assert "Seq Scan on snapshots" not in plan and "SCAN snapshots" not in plan, plan
