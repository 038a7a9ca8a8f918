"""Search watches on a cluster (issue 27): two `vigie run` nodes in their own processes, one PostgreSQL, one Redis,
the sandbox over loopback counting the search pages it serves. Together the nodes keep the search rate and the
day's search budget; the walks beyond it stay due, unrecorded, while the listing checks go on."""
from __future__ import annotations

import bisect
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import session_scope
from store.models import Event, Listing, Snapshot
from store.models_search import SearchCheck
from tests.cluster.test_nodes import cluster, logs  # noqa: F401 (the fixture)
from tests.conftest import PG_URL
from tests.service.live import set_interval, stop_service, wait_until
from tests.service.test_search_politeness import _copies

pytestmark = pytest.mark.skipif(not PG_URL, reason="cluster mode needs PostgreSQL (VIGIE_TEST_DATABASE_URL)")


def test_two_nodes_keep_the_search_rate_and_budget_and_leave_the_rest_due(cluster):  # noqa: F811
    vigie, node, sessions, _, tmp = cluster
    catalog = Catalog(Product(id=f"p{i}", title=f"Bol grès {i}", price=Decimal("20.00"), seller="Atelier")
                      for i in range(8))
    with run_in_thread(catalog) as sandbox:
        sandbox.app.search.set(page_size=3)
        served: list[float] = []
        page = sandbox.app.search.page
        sandbox.app.search.page = lambda query, host: served.append(time.time()) or page(query, host)
        listing = vigie.ok("add", f"{sandbox.url}/p/p4", "--email", "v@example.org", "--json").json()
        watch = vigie.ok("search", "add", str(listing["id"]), "bol grès", "--json").json()
        set_interval(vigie.env["VIGIE_DATABASE_URL"], 2)
        with session_scope(sessions) as session:
            due = session.get(Listing, watch["id"]).next_check_at
        _copies(sessions, watch["id"], 5, due=due, marketplace="sandbox")  # six watches of 2 pages each
        # 2 search pages a second for the whole cluster; 9 pages today: four walks, and the fifth does not fit
        extra = {"VIGIE_SEARCH_RATE": "2", "VIGIE_SEARCH_BUDGET": "9"}
        nodes = [node("a", **extra), node("b", **extra)]
        try:
            wait_until(lambda: _count(sessions, SearchCheck) >= 4, timeout=90)
            checked = _count(sessions, Snapshot, Snapshot.listing_id == listing["id"])
            wait_until(lambda: _count(sessions, Snapshot, Snapshot.listing_id == listing["id"]) >= checked + 3,
                       timeout=30)
            time.sleep(4)  # the searches left, due all along, are still not fetched
            walks = _count(sessions, SearchCheck)
            for process in nodes:
                code, _ = stop_service(process, timeout=40)
                assert code == 0, logs(tmp)
        finally:
            sandbox.app.search.page = page
    text = logs(tmp)
    assert walks == 4 and len(served) == 8, (walks, len(served), text)  # 4 walks × 2 pages, nothing beyond
    served.sort()
    busiest = max(bisect.bisect_left(served, t + 1.0 - 0.1) - i for i, t in enumerate(served))
    assert busiest <= 2, (busiest, served)  # both nodes together: 2 a second at most
    with session_scope(sessions) as session:
        watches = session.scalars(select(Listing).where(Listing.kind == "search")).all()
        walked = set(session.scalars(select(SearchCheck.watch_id)))
        left = [w for w in watches if w.id not in walked]
        assert len(left) == 2 and all(w.last_checked_at is None and w.state is None for w in left)
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    # said once for the whole cluster (the budget's "spent" set in Redis), not once a node
    assert sum(p.read_text().count("search pages on sandbox") for p in tmp.glob("*.log")) == 1, text


def _count(sessions, model, *where) -> int:
    with session_scope(sessions) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))
