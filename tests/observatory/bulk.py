"""Many rows at once for the query-shape tests: bulk INSERTs, no chain or detector run (shapes, not contents)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from sqlalchemy import event, insert, select

from store.db import session_scope
from store.models import Event, Listing, Recipient, Snapshot, listing_recipients
from tests.observatory.seed import T0


def add_listings(sessions, account_id: int, count: int, *, marketplace: str = "amazon", start: int = 0,
                 snapshots: int = 0, events: int = 0) -> list[int]:
    """`count` active listings of one account, each with two recipients, `snapshots` checks and `events` events."""
    with session_scope(sessions) as s:
        rows = [{"account_id": account_id, "url": f"https://www.amazon.fr/dp/B0BULK{start + n:05d}",
                 "canonical_url": f"https://www.amazon.fr/dp/B0BULK{start + n:05d}", "marketplace": marketplace,
                 "label": f"bulk {start + n}", "state": "listed", "detector_state": {}, "created_at": T0,
                 "next_check_at": T0, "last_checked_at": T0} for n in range(count)]
        ids = list(s.scalars(insert(Listing).returning(Listing.id), rows))
        emails = [f"bulk{account_id}-{n}@example.org" for n in range(2)]
        known = {r.email: r.id for r in s.scalars(select(Recipient).where(Recipient.account_id == account_id))}
        for email in emails:
            if email not in known:
                known[email] = s.scalar(insert(Recipient).returning(Recipient.id),
                                        [{"account_id": account_id, "email": email}])
        s.execute(insert(listing_recipients), [{"listing_id": i, "recipient_id": known[e]} for i in ids for e in emails])
        if snapshots:
            s.execute(insert(Snapshot), [
                {"listing_id": i, "seq": n, "fetched_at": T0 + timedelta(hours=n), "requested_url": "https://x",
                 "outcome": "blocked" if n % 5 == 0 else "listed", "chain_hash": "0" * 64}
                for i in ids for n in range(snapshots)])
        if events:
            s.execute(insert(Event), [{"listing_id": i, "kind": "delisted" if n % 2 else "price_change",
                                       "detected_at": T0 + timedelta(hours=n, minutes=i % 60), "details": {}}
                                      for i in ids for n in range(events)])
    return ids


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
