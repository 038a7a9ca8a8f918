"""A search watch end to end: the CLI against the sandbox's paginated search over HTTP, a real SMTP server.
An offer dropped out of the keyword results while its page stays, and an offer its own id no longer finds, are
each caught with one email; a walled or truncated results page counts for nothing; the results pages are
stored, chained, and verify offline; the P2B timeline of the listing's page dates the drop."""
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
    catalog = Catalog(Product(id=f"p{n:02d}", title=f"Lampe laiton {n}", price=Decimal("20.00"), seller=SELLER)
                      for n in range(30))
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        sandbox.app.search.set(page_size=8, sponsored=["p12"])
        yield sandbox, smtp, Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2",
                                   VIGIE_SEARCH_RATE="50")


def by_id(done: dict, ident: int) -> dict:
    return next(r for r in done["results"] if r["listing_id"] == ident)


def test_a_search_drop_and_a_lost_index_are_caught_with_one_email_each(world, tmp_path):
    sandbox, smtp, vigie = world
    listing = vigie.ok("add", f"{sandbox.url}/p/p12", "--seller", SELLER, "--email", EMAIL, "--json").json()
    keywords = vigie.ok("search", "add", str(listing["id"]), "lampe laiton", "--every", "1h", "--json").json()
    own_id = vigie.ok("search", "add", str(listing["id"]), "p12", "--json").json()
    assert (keywords["id_query"], own_id["id_query"]) == (False, True)
    assert keywords["pages"] == 2 and keywords["marketplace"] == "sandbox" and own_id["every_seconds"] == 86400

    def check() -> dict:
        return vigie.ok("check", "--all", "--json").json()

    for _ in range(2):  # the baseline: found twice, organic rank 13 (page 2), p12 also a paid placement on page 1
        done = check()
        assert by_id(done, keywords["id"])["outcome"] == "listed" and by_id(done, listing["id"])["outcome"] == "listed"
    assert [w["last_position"] for w in vigie.ok("search", "list", "--json").json()] == [13, 1]

    sandbox.catalog.patch("p12", in_search=False)  # out of search, its page stays
    sandbox.app.search.set(wall_page=2)
    done = check()
    walled = by_id(done, keywords["id"])
    assert walled["outcome"] == "blocked" and walled["events"] == [] and any("page 2" in r for r in walled["reasons"])
    # the id query's results fit on page 1, read whole: its offer is not found once
    assert by_id(done, own_id["id"])["outcome"] == "listed" and by_id(done, own_id["id"])["events"] == []
    sandbox.app.search.set(wall_page=None, short_page=1)
    done = check()
    cut = by_id(done, keywords["id"])
    assert cut["outcome"] == "error" and cut["events"] == []  # a truncated page: no answer
    assert by_id(done, own_id["id"])["events"] == ["not_indexed"]  # twice in a row, its page listed
    sandbox.app.search.set(short_page=None)
    done = check()
    assert by_id(done, keywords["id"])["events"] == []  # absent once: not yet
    done = check()
    assert by_id(done, keywords["id"])["events"] == ["search_dropped"]
    assert check()["results"] and all(not r["events"] for r in check()["results"])  # each drop reported once

    events = vigie.ok("events", "--json").json()
    assert sorted((e["listing_id"], e["kind"]) for e in events) == [(keywords["id"], "search_dropped"),
                                                                   (own_id["id"], "not_indexed")]
    assert smtp.wait_for(2, timeout=10)
    assert len(smtp.messages) == 2
    subjects = " | ".join(m["Subject"] for m in smtp.messages)
    assert "Introuvable par sa propre référence" in subjects and "Sortie de la recherche" in subjects
    body = next(m for m in smtp.messages if "Sortie" in m["Subject"]).get_body(("plain",)).get_content()
    assert "n’apparaît plus dans la recherche « lampe laiton » depuis le" in body
    assert "alors que sa page est en ligne" in body and "/p/p12" in body

    # the results pages are stored and chained: the watch's evidence bundle verifies offline
    bundle = tmp_path / "search.zip"
    vigie.ok("export-evidence", str(keywords["id"]), "--out", str(bundle))
    verified = vigie("verify-evidence", str(bundle))
    assert verified.code == 0, verified.out + verified.err
    history = vigie.ok("history", str(keywords["id"]), "--json").json()
    assert len(history["snapshots"] if isinstance(history, dict) else history) >= 10

    vigie.ok("search", "remove", str(keywords["id"]))
    assert [w["id"] for w in vigie.ok("search", "list", "--json").json()] == [own_id["id"]]


def test_search_add_refuses_what_it_cannot_watch(world):
    sandbox, _, vigie = world
    listing = vigie.ok("add", f"{sandbox.url}/p/p01", "--json").json()
    missing = vigie("search", "add", "999", "lampe")
    assert missing.code == 2 and "no watched listing" in missing.err and len(missing.err.strip().splitlines()) == 1
    assert vigie("search", "add", str(listing["id"]), "lampe", "--pages", "0").code == 2
    assert vigie("search", "add", str(listing["id"]), "   ").code == 2
    for n in range(10):
        vigie.ok("search", "add", str(listing["id"]), f"lampe {n}")
    too_many = vigie("search", "add", str(listing["id"]), "lampe 10")
    assert too_many.code == 2 and "10 keyword searches" in too_many.err
    vigie.ok("search", "add", str(listing["id"]), "P01")  # the id query is besides the ten
    assert vigie("search", "add", str(listing["id"]), "lampe 3").code == 2  # already watched
    assert len(vigie.ok("search", "list", "--json").json()) == 11
