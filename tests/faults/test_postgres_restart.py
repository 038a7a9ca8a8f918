"""PostgreSQL restarted under `vigie run`: the test's own server (tests.faults.own_postgres) is
stopped (`pg_ctl stop -m fast`) the moment the SMTP server is handed the first alert, so that the
sender must record "sent" while the database is away; it stays down for a few seconds of checks
and dispatches, and comes back. The service must ride it out: go on checking, lose no check it had
stored, give every change one event and every event's emails once each, and stop cleanly."""
from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.cli.runner import Vigie
from tests.faults.harness import Target, all_sent, assert_intact, snapshot_ids
from tests.faults.own_postgres import OwnPostgres
from tests.service.live import environment, set_interval, stop_service, wait_until

SELLER = "Atelier Dupont"
RECIPIENTS = ("vendeur@example.org", "associee@example.org")
PRODUCTS = [f"p{n}" for n in range(6)]
BEFORE, DURING = PRODUCTS[:2], PRODUCTS[2:4]  # out of stock before the outage, and while the database is down
OUTAGE = 4.0  # seconds: several ticks of dispatch and of the alert job


@pytest.fixture
def own_postgres():
    server = OwnPostgres().init()
    try:
        server.start()
        engine = make_engine(server.url)
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.destroy()


class Outage:
    """Stops the server at the first recipient the SMTP server sees, starts it `OUTAGE` s later."""

    def __init__(self, server: OwnPostgres, catalog: Catalog):
        self.server = server
        self.catalog = catalog
        self.began = threading.Event()
        self.ended = threading.Event()

    def on_rcpt(self, address: str) -> str | None:
        if not self.began.is_set():
            self.began.set()
            self.server.stop("fast")  # before the message is accepted: "sent" must be recorded later
            threading.Thread(target=self._later, daemon=True).start()
        return None

    def _later(self) -> None:
        for pid in DURING:  # changes the service can only see once the database is back
            self.catalog.patch(pid, state="out_of_stock")
        time.sleep(OUTAGE)
        self.server.start()
        self.ended.set()


def test_vigie_run_rides_out_a_postgresql_restart(own_postgres, tmp_path):
    catalog = Catalog(Product(id=pid, title=f"Produit {pid}", price=Decimal("20.00"), seller=SELLER)
                      for pid in PRODUCTS)
    outage = Outage(own_postgres, catalog)
    target = Target()
    with run_in_thread(catalog) as sandbox, SmtpCatcher(on_rcpt=outage.on_rcpt) as smtp:
        vigie = Vigie(tmp_path / "data", own_postgres.url, VIGIE_SMTP_URL=f"{smtp.url}?timeout=2")
        listings = tmp_path / "listings.csv"
        listings.write_text("url,seller,email\n" + "".join(
            f"{sandbox.url}/p/{pid},{SELLER},{' '.join(RECIPIENTS)}\n" for pid in PRODUCTS))
        vigie.ok("import", str(listings))
        ids = {row["url"].rsplit("/", 1)[1]: row["id"] for row in vigie.ok("list", "--json").json()}
        set_interval(own_postgres.url, 1)
        vigie.ok("check", "--all")  # the baseline: nothing to say
        for pid in BEFORE:
            catalog.patch(pid, state="out_of_stock")

        engine = make_engine(own_postgres.url)
        sessions = session_factory(engine)
        log = tmp_path / "run.log"
        process = target.spawn(environment(vigie.env), vigie.cwd, ("run",), log)
        try:
            assert outage.began.wait(60), log.read_text()
            seen = snapshot_ids(sessions) if not own_postgres.running() else set()
            assert outage.ended.wait(60)
            assert process.poll() is None, f"the service died with the database: {log.read_text()}"
            seen = snapshot_ids(sessions)  # the database is back: what it holds now must stay
            after = max(seen)
            # the service goes on: new checks land after the restart, and every alert goes out
            wait_until(lambda: len([i for i in snapshot_ids(sessions) if i > after]) >= 2 * len(PRODUCTS),
                       timeout=40, step=0.5)
            expected = [(ids[pid], "unavailable") for pid in BEFORE + DURING]
            wait_until(lambda: all_sent(sessions, len(expected) * len(RECIPIENTS)), timeout=40, step=0.5)
            code, _ = stop_service(process)
        finally:
            target.kill()
        text = log.read_text()
        assert code == 0, text
        assert_intact(sessions, list(ids.values()), expected, len(RECIPIENTS), smtp, seen)
        engine.dispose()
    assert "as sent waits for the database" in text  # the outage did land between send and record
    # the outage is said in a line or so per failing batch and job, not a traceback per listing
    assert text.count("Traceback") == 0, text
