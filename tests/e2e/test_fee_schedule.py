"""Fee monitoring end to end: a sandbox fee page whose commission changes, through the CLI, to one
fee_schedule_change event and one email per affected seller."""
from __future__ import annotations

from decimal import Decimal

import pytest

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.fees import FeeLine, FeePage
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

SELLERS = {"atelier": "atelier@example.org", "boutique": "boutique@example.org"}
ELSEWHERE = "cdiscount-only@example.org"
GRID = (FeeLine("Livres", Decimal("15"), None, Decimal("0.30")), FeeLine("High-Tech", Decimal("7"), None,
                                                                         Decimal("0.30")))


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=name, title=f"Produit {name}", price=Decimal("20.00"), seller=name, markup="amazon")
                      for name in [*SELLERS, "other"])
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        sandbox.app.fees.put(FeePage("amazon-fr", GRID, markup="amazon"))
        yield sandbox, smtp, Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url)


def test_a_commission_change_is_one_event_and_one_email_per_seller(world):
    sandbox, smtp, vigie = world
    for name, email in SELLERS.items():
        vigie.ok("add", f"{sandbox.url}/p/{name}", "--marketplace", "amazon", "--seller", name, "--email", email,
                 "--account", name)
    vigie.ok("add", f"{sandbox.url}/p/other", "--marketplace", "cdiscount", "--email", ELSEWHERE, "--account", "x")
    fee = vigie.ok("add", f"{sandbox.url}/fees/amazon-fr", "--kind", "fees", "--marketplace", "amazon",
                   "--json").json()

    first = vigie.ok("check", "--all", "--json").json()
    assert {r["listing_id"]: r["outcome"] for r in first["results"]}[fee["id"]] == "listed"
    assert first["events"] == []

    sandbox.app.fees.patch("amazon-fr", {"rates": {"High-Tech": {"rate": "9"}}})
    vigie.ok("check", "--all", "--json")
    vigie.ok("check", "--all", "--json")  # nothing new: no second event

    events = vigie.ok("events", "--json").json()
    assert [(e["listing_id"], e["kind"]) for e in events] == [(fee["id"], "fee_schedule_change")]
    assert events[0]["details"]["changes"] == "High-Tech\trate\t7\t9"

    assert smtp.wait_for(len(SELLERS), timeout=10)
    by_recipient: dict[str, list] = {}
    for message in smtp.messages:
        by_recipient.setdefault(message["To"], []).append(message)
    assert sorted(by_recipient) == sorted(SELLERS.values())
    for messages in by_recipient.values():
        (message,) = messages
        body = message.get_body(("plain",)).get_content()
        assert "High-Tech : commission : 7 % → 9 %" in body
