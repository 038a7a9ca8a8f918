"""SQLite on a full disk: the data directory (database and page bodies) on a small tmpfs of the
test's own, filled to the last byte before a pass. `vigie check --all` must say so in one line and
exit non-zero, and the database must come out whole: integrity_check ok, the earlier checks and
their chains intact, and the next pass, once there is room again, recording as usual."""
from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store import snapshots
from store.db import make_engine, session_factory, session_scope, sqlite_url
from store.models import Snapshot
from tests.cli.runner import Vigie

SELLER = "Atelier Dupont"
PRODUCTS = [f"p{n}" for n in range(4)]


@pytest.fixture
def small_disk():
    """An 8 MB tmpfs, unmounted whatever the test does."""
    point = Path(tempfile.mkdtemp(prefix="vigie-full-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def _fill(folder: Path) -> Path:
    """Writes one file until the disk refuses another byte."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        try:
            while True:
                handle.write(b"\0")
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def _chains(database_url: str) -> dict[int, list[tuple[int, str]]]:
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            found = {}
            for listing_id in session.scalars(select(Snapshot.listing_id).distinct()):
                history = snapshots.history(session, listing_id)
                assert [s.seq for s in history] == list(range(1, len(history) + 1)), listing_id
                assert snapshots.verify_chain(history) == [], listing_id
                found[listing_id] = [(s.id, s.chain_hash) for s in history]
            return found
    finally:
        engine.dispose()


def test_a_full_disk_gives_one_clear_line_and_no_corrupt_database(small_disk):
    catalog = Catalog(Product(id=pid, title=f"Produit {pid}", price=Decimal("20.00"), seller=SELLER)
                      for pid in PRODUCTS)
    database_url = sqlite_url(small_disk)
    with run_in_thread(catalog) as sandbox:
        vigie = Vigie(small_disk, database_url)
        for pid in PRODUCTS:
            vigie.ok("add", f"{sandbox.url}/p/{pid}", "--seller", SELLER)
        vigie.ok("check", "--all")
        before = _chains(database_url)
        assert len(before) == len(PRODUCTS)

        for pid in PRODUCTS:  # something new to record: a change, its event, its page body
            catalog.patch(pid, state="out_of_stock", price=Decimal("25.00"))
        filler = _fill(small_disk)
        full = vigie("check", "--all")
        assert full.code in (1, 2), (full.code, full.out, full.err)
        assert "Traceback" not in full.err, full.err
        lines = [line for line in full.err.splitlines() if line.startswith("vigie: ")]
        assert lines and "disk" in lines[-1].lower() and "full" in lines[-1].lower(), full.err
        assert len(lines[-1]) < 300, lines[-1]

        os.unlink(filler)  # room again: the database is whole and goes on
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
        after = _chains(database_url)
        for listing_id, history in before.items():
            assert after[listing_id][:len(history)] == history  # earlier checks untouched
        again = vigie.ok("check", "--all", "--json").json()
        assert again["checked"] == len(PRODUCTS) and again["unrecorded"] == []
        assert _chains(database_url)
