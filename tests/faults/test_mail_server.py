"""The mail server misbehaving, end to end: `vigie` as a child process against a real SMTP server
(aiosmtpd on loopback) that is down, greylists, or refuses one recipient for good."""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models import AlertDelivery
from tests.cli.runner import Vigie

SELLER = "Atelier Dupont"
GOOD = "vendeur@example.org"
OTHER = "associee@example.org"
BAD = "parti@example.org"


@pytest.fixture
def shop(tmp_path, database_url):
    catalog = Catalog(Product(id=pid, title=f"Produit {pid}", price=Decimal("20.00"), seller=SELLER)
                      for pid in ("a", "b"))
    with run_in_thread(catalog) as sandbox:
        engine = make_engine(database_url)
        yield sandbox, session_factory(engine), tmp_path, database_url
        engine.dispose()


def _vigie(shop, smtp_url: str, *emails: str) -> Vigie:
    sandbox, _, tmp, database_url = shop
    vigie = Vigie(tmp / "data", database_url, VIGIE_SMTP_URL=smtp_url)
    for pid in ("a", "b"):
        args = ["add", f"{sandbox.url}/p/{pid}", "--seller", SELLER]
        for address in emails:
            args += ["--email", address]
        vigie.ok(*args)
    assert vigie.ok("check", "--all", "--json").json()["events"] == []  # the baseline: nothing to say
    for pid in ("a", "b"):
        sandbox.catalog.patch(pid, state="out_of_stock")
    return vigie


def _deliveries(sessions) -> dict[str, list[AlertDelivery]]:
    found: dict[str, list[AlertDelivery]] = {}
    with session_scope(sessions) as session:
        for row in session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)):
            found.setdefault(row.recipient, []).append(row)
    return found


def test_a_mail_server_down_for_a_whole_pass_gets_every_alert_once_when_back(shop):
    sandbox, sessions, tmp, _ = shop
    smtp = SmtpCatcher().start()
    url = smtp.url
    smtp.stop()  # connection refused, on a port that will answer again later
    vigie = _vigie(shop, f"{url}?timeout=5", GOOD, OTHER)

    down = vigie("check", "--all", "--json")
    assert down.code == 0, down.err  # the pass ran; its alerts wait
    report = down.json()
    assert report["checked"] == 2 and len(report["events"]) == 2
    assert (report["emails"]["sent"], report["emails"]["retrying"], report["emails"]["failed"]) == (0, 4, 0)
    assert "unreachable" in report["emails"]["problem"]
    assert "emails wait for the next pass" in down.err and "unreachable" in down.err
    again = vigie("check", "--json")  # a second process, still down: nothing is given up
    assert again.code == 0 and again.json()["emails"]["retrying"] == 4

    smtp.start()  # back, on the same port; the next `vigie` is a fresh process
    try:
        assert smtp.url == url
        back = vigie.ok("check", "--json").json()
        assert back["emails"]["sent"] == 4 and back["emails"]["problem"] is None
        assert vigie.ok("check", "--json").json()["emails"]["sent"] == 0
        messages = smtp.wait_for(4)
    finally:
        smtp.stop()
    assert len(smtp.messages) == 4
    ids = [str(m["Message-ID"]) for m in messages]
    rows = [row for per_recipient in _deliveries(sessions).values() for row in per_recipient]
    assert sorted(ids) == sorted(row.message_id for row in rows)  # each alert once
    # the outage used up none of the attempts an alert has before it is given up
    assert {(row.status, row.attempts) for row in rows} == {("sent", 0)}


class Greylist:
    """Answers 451 to a recipient until `delay` seconds after it first saw it, as greylisting does."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.first_seen: dict[str, float] = {}
        self.tries: dict[str, int] = {}

    def __call__(self, address: str) -> str | None:
        with self.lock:
            self.tries[address] = self.tries.get(address, 0) + 1
            first = self.first_seen.setdefault(address, time.monotonic())
            early = time.monotonic() - first < self.delay
        return "451 4.7.1 Greylisted, please try again later" if early else None


def test_a_greylisted_alert_is_retried_later_and_delivered_once(shop):
    sandbox, sessions, tmp, _ = shop
    greylist = Greylist(delay=1.0)
    with SmtpCatcher(on_rcpt=greylist) as smtp:
        vigie = _vigie(shop, smtp.url, GOOD)
        first = vigie.ok("check", "--all", "--json").json()
        assert (first["emails"]["sent"], first["emails"]["retrying"]) == (0, 2)
        assert smtp.messages == [] and greylist.tries == {GOOD: 2}
        rows = _deliveries(sessions)[GOOD]
        assert {(row.status, row.attempts) for row in rows} == {("pending", 1)}
        assert all("451" in row.last_error for row in rows)

        soon = vigie.ok("check", "--json").json()  # at once: not yet, the server asked for later
        assert soon["emails"]["sent"] == 0 and greylist.tries == {GOOD: 2}

        with session_scope(sessions) as session:  # the retry delay (a minute) passes
            for row in session.scalars(select(AlertDelivery)):
                row.next_attempt_at -= timedelta(seconds=61)
        later = vigie.ok("check", "--json").json()
        assert later["emails"]["sent"] == 2
        assert vigie.ok("check", "--json").json()["emails"]["sent"] == 0
        smtp.wait_for(2)
    assert greylist.tries == {GOOD: 4}  # each alert tried twice: refused once, accepted once
    assert len({str(m["Message-ID"]) for m in smtp.messages}) == len(smtp.messages) == 2
    assert {(row.status, row.attempts) for row in _deliveries(sessions)[GOOD]} == {("sent", 1)}


def test_a_recipient_refused_for_good_is_failed_and_reported_and_the_others_delivered(shop):
    sandbox, sessions, tmp, _ = shop
    with SmtpCatcher(refusals={BAD: "550 5.1.1 <parti@example.org>: no such mailbox"}) as smtp:
        vigie = _vigie(shop, smtp.url, GOOD, BAD, OTHER)
        run = vigie("check", "--all", "--json")
        assert run.code == 0, run.err
        emails = run.json()["emails"]
        assert (emails["sent"], emails["retrying"], emails["failed"]) == (4, 0, 2)
        assert [failure["recipient"] for failure in emails["failures"]] == [BAD, BAD]
        assert all("550" in failure["error"] and "no such mailbox" in failure["error"]
                   for failure in emails["failures"])
        said = [line for line in run.err.splitlines() if line.startswith(f"vigie: email to {BAD} failed for good")]
        assert len(said) == 2 and all("550" in line for line in said)
        assert vigie.ok("check", "--json").json()["emails"] == {**emails, "sent": 0, "failed": 0, "failures": []}
        smtp.wait_for(4)
    delivered = sorted(str(m["To"]) for m in smtp.messages)
    assert delivered == sorted([GOOD, GOOD, OTHER, OTHER])
    rows = _deliveries(sessions)
    assert {row.status for row in rows[BAD]} == {"failed"}
    assert {row.status for row in rows[GOOD] + rows[OTHER]} == {"sent"}
