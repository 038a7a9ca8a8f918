"""The vertical slice, end to end: the CLI against the sandbox over HTTP and a real SMTP server."""
from __future__ import annotations

from decimal import Decimal

import pytest

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Offer, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

SELLER = "Atelier Dupont"
EMAIL = "vendeur@example.org"

# product id → (state on pass 2, state on pass 3, events expected over the three passes)
SCENARIO = {
    "gone404": ("not_found", "not_found", ["delisted"]),
    "tosearch": ("redirect_search", "redirect_search", ["delisted"]),
    "offer": ("offer_removed", "offer_removed", ["offer_gone"]),
    "stock": ("out_of_stock", "out_of_stock", ["unavailable"]),
    "back": ("out_of_stock", "listed", ["unavailable", "restored"]),
    "wall": ("bot_wall", "bot_wall", []),
    "busy": ("server_error", "server_error", []),
    "blip": ("not_found", "listed", []),
    "pricey": ("listed", "listed", ["price_change"]),
}


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(
        Product(id=pid, title=f"Produit {pid}", price=Decimal("20.00"), seller=SELLER,
                other_offers=(Offer(seller="Autre Boutique", price=Decimal("22.00")),))
        for pid in SCENARIO)
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2")
        yield sandbox, smtp, vigie


def test_delisting_loop(world):
    sandbox, smtp, vigie = world
    ids = {}
    for pid in SCENARIO:
        added = vigie.ok("add", f"{sandbox.url}/p/{pid}", "--seller", SELLER, "--email", EMAIL,
                         "--label", f"Label {pid}", "--json").json()
        ids[pid] = added["id"]

    baseline = vigie.ok("check", "--all", "--json").json()
    assert baseline["checked"] == len(SCENARIO)
    assert {r["outcome"] for r in baseline["results"]} == {"listed"}
    assert baseline["events"] == []
    assert smtp.messages == []  # no email for the baseline pass

    for pid, (second, _, _) in SCENARIO.items():
        sandbox.catalog.patch(pid, state=second)
    sandbox.catalog.patch("pricey", price=Decimal("25.00"))
    second_pass = vigie.ok("check", "--all", "--json").json()
    outcomes = {r["listing_id"]: r["outcome"] for r in second_pass["results"]}
    assert outcomes[ids["wall"]] == "blocked"
    assert outcomes[ids["busy"]] == "error"
    assert outcomes[ids["tosearch"]] == "gone"

    for pid, (_, third, _) in SCENARIO.items():
        sandbox.catalog.patch(pid, state=third)
    vigie.ok("check", "--all", "--json")

    events = vigie.ok("events", "--json").json()
    found: dict[int, list[str]] = {}
    for event in events:
        found.setdefault(event["listing_id"], []).append(event["kind"])
    expected = {ids[pid]: kinds for pid, (_, _, kinds) in SCENARIO.items() if kinds}
    assert found == expected
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    price_event = next(e for e in events if e["kind"] == "price_change")
    assert (price_event["before"], price_event["after"]) == ("20.00", "25.00")

    assert smtp.wait_for(len(events), timeout=10)
    assert len(smtp.messages) == len(events)  # exactly one email per event and recipient
    message_ids = {m["Message-ID"] for m in smtp.messages}
    assert len(message_ids) == len(events)
    urls = {f"{sandbox.url}/p/{pid}" for pid, (_, _, kinds) in SCENARIO.items() if kinds}
    bodies = [m.get_body(("plain",)).get_content() for m in smtp.messages]
    for url in urls:
        assert sum(url in body for body in bodies) == len(found[ids[url.rsplit("/", 1)[1]]])

    # A later pass with nothing new sends nothing more.
    vigie.ok("check", "--all", "--json")
    assert len(smtp.messages) == len(events)


def test_without_smtp_emails_land_as_eml_files_and_history_keeps_the_chain(tmp_path, database_url):
    catalog = Catalog([Product(id="solo", title="Produit solo", price=Decimal("9.90"), seller=SELLER)])
    with run_in_thread(catalog) as sandbox:
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CONFIRMATIONS="2")
        listing = vigie.ok("add", f"{sandbox.url}/p/solo", "--email", EMAIL, "--json").json()
        vigie.ok("check", "--all")
        sandbox.catalog.patch("solo", state="gone_410")
        vigie.ok("check", "--all")
        last = vigie.ok("check", "--listing", str(listing["id"]))
    assert "outbox" in last.err  # the CLI says where the email went
    emails = list((tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(emails) == 1
    assert f"{sandbox.url}/p/solo" in emails[0].read_text()

    history = vigie.ok("history", str(listing["id"]), "--json").json()
    assert [s["outcome"] for s in history] == ["listed", "gone", "gone"]
    for key in ("outcome", "price", "currency", "shipping_fee", "seller", "fetched_at", "http_status"):
        assert key in history[0]
    assert history[0]["price"] == "9.90" and history[1]["http_status"] == 410
    assert [s["prev_hash"] for s in history[1:]] == [s["chain_hash"] for s in history[:-1]]
    assert history[0]["body_sha256"] and history[0]["body_sha256"] != history[1]["body_sha256"]
