"""`vigie run` watches storefronts too: a hidden offer is mailed once by the long-running service."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models_shops import ShopPass
from tests.cli.runner import Vigie
from tests.service.live import environment, set_interval, start_service, stop_service, wait_until

SELLER = "Atelier Dupont"


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{i}", title=f"Produit {i}", price=Decimal("20.00"), seller=SELLER)
                      for i in range(8))
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        sandbox.app.storefronts.set("atelier-dupont", page_size=3)
        engine = make_engine(database_url)
        yield sandbox, smtp, Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2"), \
            session_factory(engine), tmp_path
        engine.dispose()


def _walks(sessions) -> list[ShopPass]:
    with session_scope(sessions) as session:
        return list(session.scalars(select(ShopPass).order_by(ShopPass.seq)))


def test_the_service_walks_a_storefront_and_mails_a_hidden_offer_once(world, database_url):
    sandbox, smtp, vigie, sessions, tmp = world
    vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--seller", SELLER, "--email", "v@example.org",
             "--every", "5m")
    set_interval(database_url, 2)
    process = start_service(environment(vigie.env), tmp / "run.log")
    try:
        wait_until(lambda: len(_walks(sessions)) >= 1, timeout=60)
        assert (_walks(sessions)[0].complete, _walks(sessions)[0].pages) == (True, 3)
        sandbox.catalog.patch("p4", in_storefront=False)
        assert smtp.wait_for(1, timeout=60)
        seen = len(_walks(sessions))
        wait_until(lambda: len(_walks(sessions)) >= seen + 2, timeout=60)
    finally:
        code, _ = stop_service(process, timeout=40)
    assert code == 0, (tmp / "run.log").read_text()[-3000:]
    assert len(smtp.messages) == 1 and "Produit 4" in smtp.messages[0]["Subject"]
