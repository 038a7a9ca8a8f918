"""`vigie run` watches searches too: an offer dropped out of search while its page stays is mailed once by the
long-running service, on a search crawler of its own."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models_search import SearchCheck
from tests.cli.runner import Vigie
from tests.service.live import environment, set_interval, start_service, stop_service, wait_until


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{i}", title=f"Bol grès {i}", price=Decimal("20.00"), seller="Atelier")
                      for i in range(8))
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        sandbox.app.search.set(page_size=3)
        engine = make_engine(database_url)
        yield sandbox, smtp, Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2",
                                   VIGIE_SEARCH_RATE="50"), session_factory(engine), tmp_path
        engine.dispose()


def _checks(sessions) -> list[SearchCheck]:
    with session_scope(sessions) as session:
        return list(session.scalars(select(SearchCheck).order_by(SearchCheck.seq)))


def test_the_service_mails_a_search_drop_once(world, database_url):
    sandbox, smtp, vigie, sessions, tmp = world
    listing = vigie.ok("add", f"{sandbox.url}/p/p4", "--email", "v@example.org", "--every", "1h", "--json").json()
    vigie.ok("search", "add", str(listing["id"]), "bol grès", "--every", "5m")
    set_interval(database_url, 2)
    process = start_service(environment(vigie.env), tmp / "run.log")
    try:
        wait_until(lambda: len(_checks(sessions)) >= 2, timeout=60)
        assert [(c.complete, c.pages, c.position) for c in _checks(sessions)[:2]] == [(True, 2, 5)] * 2
        sandbox.catalog.patch("p4", in_search=False)
        assert smtp.wait_for(1, timeout=60)
        seen = len(_checks(sessions))
        wait_until(lambda: len(_checks(sessions)) >= seen + 2, timeout=60)
    finally:
        code, _ = stop_service(process, timeout=40)
    assert code == 0, (tmp / "run.log").read_text()[-3000:]
    assert len(smtp.messages) == 1 and "Sortie de la recherche" in smtp.messages[0]["Subject"]
