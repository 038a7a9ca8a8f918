"""`vigie check` and `vigie run` killed with SIGKILL at 20 points of a pass, then restarted.

The points come from a seeded RNG (reproducible) and are spread over the three phases of a pass.
Each is made to land where it says by the test's own servers: *fetching* — the sandbox kills the
process when it is asked for its n-th page; *recording* — the test holds a write lock on the
database so that the recorder is stuck inside its transaction, then kills; *sending* — the SMTP
server kills the process at the k-th recipient of its conversation. Between kills the marketplace
changes (listings go out of stock or vanish), so every killed pass has something to lose.

After the last restart: chains verify and have no gaps, every snapshot once stored is still there,
every change gave exactly one event, and every event's emails reached the server once each.
"""
from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory
from tests.cli.runner import Vigie
from tests.faults.harness import (Target, TappedCatalog, all_sent, assert_intact, kill_plan, pending_claims_expired,
                                  snapshot_ids, writes_held)
from tests.service.live import environment, set_interval, stop_service, wait_until

SEED = 14
KILLS = {"check": 12, "run": 8}  # 20 in all; a restart of `vigie run` costs more than a pass of `vigie check`
SELLER = "Atelier Dupont"
RECIPIENTS = ("vendeur@example.org", "associee@example.org")
PRODUCTS = [f"p{n:02d}" for n in range(max(KILLS.values()) + 2)]  # one changes before each kill, two never do
CHANGES = {"out_of_stock": "unavailable", "not_found": "delisted"}


class KillSwitch:
    """Arms one kill point for the next run of `target`; counts what the servers see until it fires."""

    def __init__(self, target: Target):
        self.target = target
        self.lock = threading.Lock()
        self.phase = ""
        self.at = 0
        self.requests = 0
        self.recipients = 0
        self.first_request = threading.Event()

    def arm(self, phase: str, where: float) -> None:
        with self.lock:
            self.phase = phase
            # fetching: the n-th page asked for; sending: the k-th recipient (each event has two)
            self.at = 1 + min(int(where * len(PRODUCTS)), len(PRODUCTS) - 1) if phase == "fetching" \
                else 1 + int(where * len(RECIPIENTS))
            self.requests = self.recipients = 0
            self.first_request.clear()

    def on_request(self, product_id: str) -> None:
        with self.lock:
            self.requests += 1
            self.first_request.set()
            fire = self.phase == "fetching" and self.requests == self.at
        if fire:
            self.target.kill()

    def on_rcpt(self, address: str) -> str | None:
        with self.lock:
            self.recipients += 1
            fire = self.phase == "sending" and self.recipients == self.at
        if fire:
            self.target.kill()
            return "421 4.3.0 the test pulled the plug"
        return None


@pytest.fixture
def world(tmp_path, database_url):
    catalog = TappedCatalog(Product(id=pid, title=f"Produit {pid}", price=Decimal("20.00"), seller=SELLER)
                            for pid in PRODUCTS)
    target = Target()
    switch = KillSwitch(target)
    catalog.on_request = switch.on_request
    with run_in_thread(catalog) as sandbox, SmtpCatcher(on_rcpt=switch.on_rcpt) as smtp:
        # timeout=1: a claim lasts 10 s, so an alert whose sender was killed goes again 10 s later
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=f"{smtp.url}?timeout=1",
                      VIGIE_CONFIRMATIONS="2")
        listings = tmp_path / "listings.csv"
        listings.write_text("url,seller,email\n" + "".join(
            f"{sandbox.url}/p/{pid},{SELLER},{' '.join(RECIPIENTS)}\n" for pid in PRODUCTS))
        vigie.ok("import", str(listings))
        ids = [row["id"] for row in vigie.ok("list", "--json").json()]
        assert len(ids) == len(PRODUCTS)
        engine = make_engine(database_url)
        yield sandbox, smtp, vigie, session_factory(engine), ids, target, switch, tmp_path
        target.kill()
        engine.dispose()


def _kill_at_each_point(world, database_url, args: tuple[str, ...], env: dict[str, str], seed: int):
    """Runs `vigie ARGS` once per kill point, changing one product before each; returns the
    events that must exist in the end and the snapshots seen stored along the way."""
    sandbox, smtp, vigie, sessions, ids, target, switch, tmp = world
    expected, seen = [], set()
    for number, (phase, where) in enumerate(kill_plan(seed, KILLS[args[0]])):
        state = "out_of_stock" if phase == "sending" or number % 2 else "not_found"
        sandbox.catalog.patch(PRODUCTS[number], state=state)
        expected.append((ids[number], CHANGES[state]))
        switch.arm(phase, where)
        log = tmp / f"{args[0]}-{number}-{phase}.log"
        process = target.spawn(env, vigie.cwd, args, log)
        if phase == "recording":
            assert switch.first_request.wait(60), log.read_text()
            with writes_held(database_url):
                time.sleep(0.5 + 0.8 * where)  # the recorder flushes its batch 0.25 s after a result
                target.kill()
        assert target.killed.wait(90), f"kill point {number} ({phase}) never came: {log.read_text()}"
        assert process.wait(timeout=30) == -signal.SIGKILL, log.read_text()
        seen |= snapshot_ids(sessions)
    return expected, seen


def test_vigie_check_killed_at_twelve_points_loses_nothing(world, database_url):
    sandbox, smtp, vigie, sessions, ids, target, switch, tmp = world
    baseline = vigie.ok("check", "--all", "--json").json()
    reported = {r["snapshot_id"] for r in baseline["results"]}
    expected, seen = _kill_at_each_point(world, database_url, ("check", "--all", "--json"), vigie.env, SEED)
    switch.arm("none", 0)
    # alerts whose sender died mid-conversation go again when its claim runs out (10 s)
    wait_until(lambda: pending_claims_expired(sessions, datetime.now(UTC)), timeout=30)
    for _ in range(2):  # two sightings confirm the last disappearance
        done = vigie.ok("check", "--all", "--json").json()
        assert done["unrecorded"] == [] and done["emails"]["failed"] == 0
        reported |= {r["snapshot_id"] for r in done["results"]}
    assert all_sent(sessions, len(expected) * len(RECIPIENTS))
    assert_intact(sessions, ids, expected, len(RECIPIENTS), smtp, seen | reported)


def test_vigie_run_killed_at_eight_points_loses_nothing(world, database_url):
    sandbox, smtp, vigie, sessions, ids, target, switch, tmp = world
    set_interval(database_url, 1)
    env = environment(vigie.env)
    vigie.ok("check", "--all")  # the baseline
    expected, seen = _kill_at_each_point(world, database_url, ("run",), env, SEED + 1)
    switch.arm("none", 0)
    process = target.spawn(env, vigie.cwd, ("run",), tmp / "run-last.log")
    try:
        wait_until(lambda: all_sent(sessions, len(expected) * len(RECIPIENTS)), timeout=60, step=0.5)
        code, _ = stop_service(process)
    finally:
        target.kill()
    assert code == 0, (tmp / "run-last.log").read_text()
    assert_intact(sessions, ids, expected, len(RECIPIENTS), smtp, seen)
