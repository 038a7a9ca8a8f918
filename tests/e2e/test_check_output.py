"""What `vigie check` prints for people: a summary, then only the listings with events or problems."""
from __future__ import annotations

from decimal import Decimal

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

QUIET = [f"calm{n}" for n in range(12)]


def test_a_pass_prints_a_summary_and_the_rows_worth_reading(tmp_path, database_url):
    catalog = Catalog(Product(id=pid, title=f"Produit {pid}", price=Decimal("10.00"), seller="Boutique")
                      for pid in [*QUIET, "broken"])
    with run_in_thread(catalog) as sandbox:
        vigie = Vigie(tmp_path / "data", database_url, COLUMNS="200")
        for pid in [*QUIET, "broken"]:
            vigie.ok("add", f"{sandbox.url}/p/{pid}")
        sandbox.catalog.patch("broken", state="server_error")
        run = vigie.ok("check", "--all")
        assert "13 listing(s) checked" in run.err and "12 listed, 1 error; 0 event(s)" in run.err
        assert f"{sandbox.url}/p/broken" in run.out
        assert not any(f"/p/{pid}" in run.out for pid in QUIET)  # nothing to read about those

        everything = vigie.ok("check", "--all", "--verbose")
        assert all(f"/p/{pid}" in everything.out for pid in [*QUIET, "broken"])

        sandbox.catalog.patch("broken", state="listed")
        calm = vigie.ok("check", "--all")
        assert "13 listed; 0 event(s)" in calm.err and calm.out == ""
