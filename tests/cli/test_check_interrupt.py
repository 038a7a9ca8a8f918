"""`vigie check` stopped with Ctrl-C (SIGINT) stops within seconds, as with SIGTERM: the checks in flight are
recorded or abandoned, what was recorded stays whole, the listings not checked stay due."""
from __future__ import annotations

import signal
import subprocess
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sandbox.catalog import Catalog, Product, State
from sandbox.server import run_in_thread
from store import snapshots
from store.db import make_engine, session_factory, session_scope
from store.models import Snapshot
from tests.cli.runner import Vigie, vigie_command

SLOW = 40  # pages answering after DELAY seconds: longer than the 30 s fetch timeout
DELAY = 45.0


def _snapshots(sessions) -> int:
    with session_scope(sessions) as session:
        return session.scalar(select(func.count()).select_from(Snapshot)) or 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_pass_stops_within_seconds_and_keeps_what_it_recorded(tmp_path, database_url, sig):
    products = [Product(id="fast", title="Rapide", price=Decimal("10.00"), seller="S")]
    products += [Product(id=f"s{i}", title=f"Lent {i}", price=Decimal("10.00"), seller="S", state=State.SLOW,
                         delay=DELAY) for i in range(SLOW)]
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    with run_in_thread(Catalog(products)) as sandbox:
        vigie = Vigie(tmp_path / "data", database_url)
        listings = tmp_path / "listings.csv"
        listings.write_text("url\n" + "".join(f"{sandbox.url}/p/{product.id}\n" for product in products))
        vigie.ok("import", str(listings))
        process = subprocess.Popen([*vigie_command(), "check", "--all"], env=vigie.env, cwd=vigie.cwd,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while _snapshots(sessions) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _snapshots(sessions) > 0, "no check was recorded"
            process.send_signal(sig)
            sent = time.monotonic()
            try:
                _, err = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                _, err = process.communicate()
            took = time.monotonic() - sent
        finally:
            process.kill()
    recorded = _snapshots(sessions)
    assert took < 10, f"still checking {took:.0f} s after the signal: {err[-2000:]}"
    assert process.returncode != 0 and "interrupted" in err, err[-2000:]
    assert 0 < recorded < len(products)
    with session_scope(sessions) as session:
        listing_ids = session.scalars(select(Snapshot.listing_id).distinct()).all()
        for listing_id in listing_ids:
            assert snapshots.verify_chain(snapshots.history(session, listing_id)) == []
    engine.dispose()
