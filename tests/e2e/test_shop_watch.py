"""A storefront watch end to end: the CLI against the sandbox's paginated storefront over HTTP, a real SMTP
server. An offer hidden from the storefront while its page stays is caught with one email; a walk with a
walled page counts for nothing; an offer whose page is gone goes to its listing's delisting path."""
from __future__ import annotations

from decimal import Decimal

import pytest

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

SELLER = "Atelier Dupont"
EMAIL = "vendeur@example.org"


@pytest.fixture
def world(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{n:02d}", title=f"Article {n}", price=Decimal("20.00"), seller=SELLER)
                      for n in range(30))
    catalog.put(Product(id="other", title="Pas à nous", price=Decimal("5.00"), seller="Maison Lefèvre"))
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        sandbox.app.storefronts.set("atelier-dupont", page_size=12)
        yield sandbox, smtp, Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2")


def test_a_hidden_offer_is_caught_with_one_email(world, tmp_path):
    sandbox, smtp, vigie = world
    shop = vigie.ok("add-shop", f"{sandbox.url}/shop/atelier-dupont?page=1", "--seller", SELLER, "--email", EMAIL,
                    "--json").json()
    assert (shop["marketplace"], shop["seller_ref"]) == ("sandbox", "atelier-dupont")

    def walk() -> dict:
        done = vigie.ok("check", "--all", "--json").json()
        return next(r for r in done["results"] if r["listing_id"] == shop["id"])

    assert walk()["outcome"] == "listed"  # the baseline: 30 offers over 3 pages
    sandbox.catalog.patch("p05", in_storefront=False)  # hidden: its page stays
    sandbox.catalog.patch("p07", state="not_found")  # gone: out of the storefront and its page 404
    sandbox.app.storefronts.set("atelier-dupont", wall_page=3)
    walled = walk()
    assert walled["outcome"] == "blocked" and any("page 3" in r for r in walled["reasons"])
    sandbox.app.storefronts.set("atelier-dupont", wall_page=None)
    assert walk()["events"] == []  # absent once: not yet
    caught = walk()
    assert caught["events"] == ["shop_offer_missing"]  # the walled walk did not count as a second absence

    events = vigie.ok("events", "--json").json()
    assert [(e["listing_id"], e["kind"], e["after"]) for e in events] == [(shop["id"], "shop_offer_missing", "hidden")]
    assert smtp.wait_for(1, timeout=10)
    (message,) = smtp.messages
    assert message["To"] == EMAIL and "Article 5" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "/p/p05" in body and "P2B" in body

    # p07's page is gone: recorded on a listing of its own, which the delisting path confirms next pass
    listings = {item["url"]: item for item in vigie.ok("list", "--json").json()}
    gone = listings[f"{sandbox.url}/p/p07"]
    assert gone["kind"] == "listing" and gone["emails"] == [EMAIL]
    vigie.ok("check", "--all", "--json")
    kinds = [(e["listing_id"], e["kind"]) for e in vigie.ok("events", "--json").json()]
    assert kinds == [(shop["id"], "shop_offer_missing"), (gone["id"], "delisted")]
    assert smtp.wait_for(2, timeout=10) and len(smtp.messages) == 2

    # the storefront pages are stored and chained: the evidence bundle verifies offline
    bundle = tmp_path / "shop.zip"
    vigie.ok("export-evidence", str(shop["id"]), "--out", str(bundle))
    verified = vigie("verify-evidence", str(bundle))
    assert verified.code == 0, verified.out + verified.err
    listed = vigie.ok("shops", "--json").json()
    assert listed[0]["offers_known"] == 30


def test_add_shop_refuses_what_is_not_a_storefront(world):
    sandbox, _, vigie = world
    refused = vigie("add-shop", f"{sandbox.url}/p/p01")
    assert refused.code == 2 and "not a storefront URL" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert vigie("add-shop", f"{sandbox.url}/shop/atelier-dupont", "--max-pages", "0").code == 2
    assert vigie.ok("shops", "--json").json() == []
