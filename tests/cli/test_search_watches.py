"""`vigie search add|list|remove` from the command line: the search URL per marketplace with the locale fixed, the
id query told apart, the interval's default and minimum, and bad input refused with one line and exit 2."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.db import make_engine, session_factory, session_scope
from store.models import Listing
from tests.cli.runner import Vigie
from vigie.registration import account_named

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def listings(database_url) -> dict[str, int]:
    """Listings as `vigie add` stores them, written directly: no DNS lookup of the marketplaces."""
    engine = make_engine(database_url)
    made = {}
    try:
        with session_scope(session_factory(engine)) as session:
            account = account_named(session, "default", now=NOW, lang="fr")
            for name, url, marketplace, ref in [
                ("amazon", "https://www.amazon.fr/dp/B07G8CVQNK", "amazon", "B07G8CVQNK"),
                ("ebay", "https://www.ebay.de/itm/123456789012", "ebay", "123456789012"),
                ("cdiscount", "https://www.cdiscount.com/maison/f-117-abc.html", "cdiscount", "abc")]:
                listing = Listing(account_id=account.id, url=url, canonical_url=url, marketplace=marketplace,
                                  marketplace_ref=ref, created_at=NOW, next_check_at=NOW, state="listed",
                                  ean="4006381333931" if name == "ebay" else None)
                session.add(listing)
                session.flush()
                made[name] = listing.id
    finally:
        engine.dispose()
    return made


@pytest.fixture
def vigie(tmp_path, database_url):
    return Vigie(tmp_path / "data", database_url, VIGIE_ALLOW_PRIVATE_HOSTS="0")


def test_add_builds_the_marketplaces_search_and_lists_it(vigie, listings):
    words = vigie.ok("search", "add", str(listings["amazon"]), "serrure connectée", "--json").json()
    assert words["url"] == "https://www.amazon.fr/s?k=serrure+connect%C3%A9e&language=fr_FR"
    assert (words["id_query"], words["every_seconds"], words["pages"], words["drop_threshold"]) == (
        False, 86400, 2, None)  # None: the detector's default threshold
    own = vigie.ok("search", "add", str(listings["amazon"]), "b07g8cvqnk", "--every", "1h", "--pages", "1").err
    assert "its own id (is it indexed?)" in own
    ebay = vigie.ok("search", "add", str(listings["ebay"]), "lampe", "--threshold", "25", "--json").json()
    assert ebay["drop_threshold"] == 25
    assert ebay["url"].startswith("https://www.ebay.de/sch/i.html?_nkw=lampe")
    by_ean = vigie.ok("search", "add", str(listings["ebay"]), "4006381333931", "--json").json()
    assert by_ean["id_query"] and by_ean["product_ref"] == "123456789012"  # looked for by its item number
    vigie.ok("search", "remove", str(by_ean["id"]))
    rows = vigie.ok("search", "list", "--json").json()
    assert [(r["listing_id"], r["query"], r["id_query"]) for r in rows] == [
        (listings["amazon"], "serrure connectée", False), (listings["amazon"], "b07g8cvqnk", True),
        (listings["ebay"], "lampe", False)]
    listed = vigie.ok("search", "list")
    table = listed.out + listed.err
    assert "serrure connectée" in table and "b07g8cvqnk (id)" in table
    assert "removed" in vigie.ok("search", "remove", str(words["id"])).err
    assert len(vigie.ok("search", "list", "--json").json()) == 2
    assert len(vigie.ok("search", "list", "--all", "--json").json()) == 4  # the removed ones too


@pytest.mark.parametrize("args, says", [
    (("cdiscount", "lampe", "--every", "30m"), "the minimum is 1h"),
    (("amazon", "lampe", "--every", "30m"), "the minimum is 1h"),
    (("amazon", "lampe", "--pages", "9"), "--pages: from 1 to 5"),
    (("amazon", "x" * 201), "at most 200"),
    (("amazon", "lampe", "--threshold", "-1"), "--threshold: from 0 to 200 positions, got -1"),
    (("amazon", "ligne\nautre"), "one line"),
])
def test_bad_input_is_one_line_and_exit_2(vigie, listings, args, says):
    refused = vigie("search", "add", str(listings[args[0]]), *args[1:])
    assert refused.code == 2 and says in refused.err, refused.err
    assert len(refused.err.strip().splitlines()) == 1
    assert vigie.ok("search", "list", "--json").json() == []


def test_remove_an_unknown_watch(vigie, listings):
    refused = vigie("search", "remove", "4242")
    assert refused.code == 2 and "no watched search with id 4242" in refused.err


def test_the_search_rate_is_a_setting_of_its_own(vigie, tmp_path, database_url):
    from vigie.settings import load

    assert load({}).search_rate == 0.2 and load({"VIGIE_SEARCH_RATE": "0.5"}).search_rate == 0.5
    wrong = Vigie(tmp_path / "data", database_url, VIGIE_SEARCH_RATE="fast")("search", "list")
    assert wrong.code == 2 and "VIGIE_SEARCH_RATE" in wrong.err and len(wrong.err.strip().splitlines()) == 1
