"""The CLI against a store the size of a real deployment (issue 24), on PostgreSQL.

    .venv/bin/python bench/big_store.py [--scale 1.0] [--server postgresql://postgres@127.0.0.1:5432]
                                        [--database vigie_big] [--keep]

Loads, into a fresh database (`vigie_big`), 100 accounts, 100,000 listings × 100 snapshots (10 million, over
90 days), 50,000 events and 100,000 stored bodies — times `--scale` — plus one listing with a long history
(100,000 × scale snapshots, one every 5 minutes), with COPY (psycopg) for the rows written from here and
INSERT … SELECT generate_series for those the database derives; then runs migration 0008 on what is loaded (as
an upgrade would: its backfill of the per-day counts is timed). Then runs `vigie list` (and `--json`), `vigie
events` (and `--json`), `vigie history` of the long listing (and `--json`), `vigie status` and `vigie prune
--older-than 30d` as whole processes and prints, for each, the time to its first line of output, its total time
and its peak RSS; and times the observatory's reads in-process, before and after (bench/big_store_views.py).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
FULL = {"listings": 100_000, "events": 50_000, "long history": 100_000}
PER_LISTING, ACCOUNTS, DAYS = 100, 100, 90


def fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def load(url: str, *, listings: int, events: int, long: int, now: datetime) -> dict[str, float]:
    """Rows in, timed per table; ids are 1..n in a fresh database."""
    sys.path.insert(0, str(ROOT))
    from store.db import make_engine
    from store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    timings: dict[str, float] = {}
    with psycopg.connect(url) as conn:
        def timed(name: str, work) -> None:
            started = time.monotonic()
            work()
            conn.commit()
            timings[name] = time.monotonic() - started

        def accounts() -> None:
            with conn.cursor().copy("COPY accounts (id, name, lang, alert_mode, created_at) FROM STDIN") as copy:
                for i in range(1, ACCOUNTS + 1):
                    copy.write_row((i, f"seller-{i}", "fr", "immediate", now))
            with conn.cursor().copy("COPY recipients (id, account_id, email) FROM STDIN") as copy:
                for i in range(1, ACCOUNTS + 1):
                    copy.write_row((i, i, f"seller-{i}@example.org"))

        def listing_rows() -> None:
            with conn.cursor().copy(
                    "COPY listings (id, account_id, kind, url, canonical_url, marketplace, label, every_seconds, "
                    "browser, active, state, detector_state, created_at, next_check_at, last_checked_at) "
                    "FROM STDIN") as copy:
                marketplaces = ("amazon", "ebay", "cdiscount", "fnac", "generic")
                for i in range(1, listings + 1):
                    url = f"https://shop{i % 997}.example/p/{i}"
                    copy.write_row((i, 1 + i % ACCOUNTS, "listing", url, url, marketplaces[i % 5], f"Produit {i}",
                                    3600, False, True, "listed", "{}", now - timedelta(days=DAYS),
                                    now + timedelta(seconds=i % 3600), now - timedelta(seconds=i % 3600)))
                url = "https://shop.example/p/long-history"  # listings + 1: the long history
                copy.write_row((listings + 1, 1, "listing", url, url, "amazon", "Produit suivi depuis longtemps", 300,
                                False, True, "gone", "{}", now - timedelta(days=400), now, now))
            with conn.cursor().copy("COPY listing_recipients (listing_id, recipient_id) FROM STDIN") as copy:
                for i in range(1, listings + 1):
                    copy.write_row((i, 1 + i % ACCOUNTS))

        def blobs() -> None:  # one stored body per listing, named by its old snapshots
            with conn.cursor().copy("COPY blobs (sha256, size, media_type, compression, data, created_at) "
                                    "FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["varchar", "int4", "varchar", "varchar", "bytea", "timestamptz"])
                for i in range(1, listings + 1):
                    page = (f"<html><body><h1>Produit {i}</h1>" + "<p>description</p>" * 60 + "</body></html>").encode()
                    copy.write_row((hashlib.sha256(page).hexdigest(), len(page), "text/html", "zlib", zlib.compress(page),
                                    now - timedelta(days=DAYS)))

        def snapshots() -> None:  # 100 a listing over 90 days; the old two thirds with a body
            conn.execute(
                "INSERT INTO snapshots (listing_id, seq, fetched_at, requested_url, fetch_method, headers, outcome, "
                "price, currency, offers, reasons, body_sha256, chain_hash) "
                "SELECT l, s, %(now)s - (%(per)s - s) * interval '21 hours 36 minutes' - (l %% 3600) * interval "
                "'1 second', 'https://x.example/', 'http', '{}', CASE WHEN (l + s) %% 50 = 0 THEN 'blocked' "
                "ELSE 'listed' END, '19.99', 'EUR', '[]', '[]', "
                "CASE WHEN s <= %(old)s THEN body.sha256 END, md5(l::text || '-' || s::text) "
                "FROM generate_series(1, %(listings)s) l CROSS JOIN LATERAL (SELECT encode(sha256(convert_to("
                "'<html><body><h1>Produit ' || l || '</h1>' || repeat('<p>description</p>', 60) || '</body></html>', "
                "'UTF8')), 'hex') AS sha256) body, generate_series(1, %(per)s) s",
                {"now": now, "per": PER_LISTING, "old": PER_LISTING * 2 // 3, "listings": listings})
            conn.execute(  # the long history: every 5 minutes, a price change now and then, gone at the end
                "INSERT INTO snapshots (listing_id, seq, fetched_at, requested_url, fetch_method, headers, outcome, "
                "price, currency, offers, reasons, chain_hash) "
                "SELECT %(id)s, s, %(now)s - (%(long)s - s) * interval '5 minutes', 'https://x.example/', 'http', '{}', "
                "CASE WHEN s > %(long)s - 3 THEN 'gone' WHEN s %% 97 = 0 THEN 'blocked' ELSE 'listed' END, "
                "CASE WHEN s > %(long)s - 3 THEN NULL ELSE (19 + (s / 1000) %% 5)::text || '.99' END, 'EUR', "
                "'[]', '[]', md5('long-' || s::text) FROM generate_series(1, %(long)s) s",
                {"id": listings + 1, "now": now, "long": long})

        def event_rows() -> None:
            step = max(1, listings // events)
            conn.execute(
                "INSERT INTO events (listing_id, snapshot_id, kind, detected_at, before, after, details) "
                "SELECT s.listing_id, s.id, 'price_change', s.fetched_at, '19.99', '24.99', '{}' FROM snapshots s "
                "WHERE s.listing_id %% %(step)s = 0 AND s.seq = 2 + s.listing_id %% 98",
                {"step": step})
            conn.execute(
                "INSERT INTO events (listing_id, snapshot_id, kind, detected_at, before, after, details) "
                "SELECT s.listing_id, s.id, CASE WHEN s.outcome = 'gone' THEN 'delisted' ELSE 'price_change' END, "
                "s.fetched_at, 'listed', 'gone', '{}' FROM snapshots s WHERE s.listing_id = %(id)s "
                "AND (s.seq %% 1000 = 1 OR s.seq = %(long)s - 1)", {"id": listings + 1, "long": long})

        for name, work in (("accounts", accounts), ("listings", listing_rows), ("blobs", blobs),
                           ("snapshots", snapshots), ("events", event_rows)):
            timed(name, work)
        for table in ("accounts", "recipients", "listings"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        timed("migration 0008", lambda: redo_migration(url))  # its backfill of marketplace_days over what is here
        conn.autocommit = True
        started = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.monotonic() - started
    return timings


def redo_migration(url: str) -> None:
    """Migration 0008 run again on the loaded rows, as a deployment upgrading to it would."""
    from alembic import command

    from store.db import make_engine
    from store.migrate import alembic_config

    engine = make_engine(url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    for step, revision in ((command.downgrade, "0007"), (command.upgrade, "0008")):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    engine.dispose()


def run(command: list[str], env: dict[str, str]) -> tuple[float | None, float, float, int, int]:
    """(seconds to the first line on stdout, total seconds, peak RSS in MB, lines, exit status) of one process.

    The peak is the process's own VmHWM, read from /proc while it runs: the rusage wait4 gives counts the RSS
    this (parent) process had when it forked, which after the in-process reads is hundreds of MB."""
    started, first, lines = time.monotonic(), None, 0
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, cwd=tempfile.gettempdir())
        peak = HighWater(process.pid)
        for _ in process.stdout:
            if first is None:
                first = time.monotonic() - started
            lines += 1
        code = process.wait()
        total = time.monotonic() - started
        peak.stop()
        if code != 0:
            err.seek(0)
            print(f"  {' '.join(command[2:])}: exit {code}: {err.read().decode()[-500:]}")
    return first, total, peak.mb, lines, code


class HighWater:
    """The highest VmHWM of a running process, polled every 20 ms (it only grows; the last read is the peak
    but for the process's last 20 ms)."""

    def __init__(self, pid: int):
        self.pid, self.mb, self._done = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._done.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.mb = max(self.mb, int(line.split()[1]) / 1024)
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass  # not started yet, or a zombie: nothing more to read
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full volume (0.1: 1M snapshots)")
    parser.add_argument("--server", default=os.environ.get("VIGIE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="vigie_big", help="the database to (re)create on the server")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database of a previous run")
    parser.add_argument("--no-cli", action="store_true", help="time the observatory's reads only")
    parser.add_argument("--no-server", action="store_true", help="skip `vigie serve` over HTTP")
    parser.add_argument("--load-only", action="store_true", help="load the database and stop (then run with --keep)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    listings, events = int(FULL["listings"] * args.scale), int(FULL["events"] * args.scale)
    long = int(FULL["long history"] * args.scale)
    now = datetime.now(UTC)
    print(f"big_store: {listings:,} listings, {listings * PER_LISTING + long:,} snapshots, ~{events:,} events, "
          f"{listings:,} bodies; listing {listings + 1} with {long:,} snapshots")
    if args.keep:
        url = f"{args.server}/{args.database}"
    else:
        url = fresh_database(args.server, args.database)
        for name, seconds in load(url, listings=listings, events=events, long=long, now=now).items():
            print(f"  load {name:<15} {seconds:7.1f} s")
        if args.load_only:
            return
    env = {**os.environ, "VIGIE_DATABASE_URL": url, "VIGIE_DATA_DIR": tempfile.mkdtemp(prefix="vigie-big-"),
           "PYTHONPATH": str(ROOT)}
    python = ROOT / ".venv" / "bin" / "python"
    vigie = [str(python) if python.exists() else sys.executable, "-m", "vigie"]
    rows = []
    for label, arguments in () if args.no_cli else (("vigie list", ["list"]), ("vigie list --json", ["list", "--json"]),
                             ("vigie events", ["events"]), ("vigie events --json", ["events", "--json"]),
                             ("vigie history (long)", ["history", str(listings + 1)]),
                             ("vigie history --json (long)", ["history", str(listings + 1), "--json"]),
                             ("vigie status", ["status"])):
        rows.append((label, *run([*vigie, *arguments], env)))
    print_runs(rows)
    if not args.no_server:
        from bench.big_store_server import report, server_rows
        report(*server_rows(vigie, env, long_listing=listings + 1))
    observatory(url, now=now, long_listing=listings + 1)
    if not args.no_cli:  # last: it deletes what the reads above are timed on
        print_runs([(label, *run([*vigie, "prune", "--older-than", "30d"], env))
                    for label in ("vigie prune --older-than 30d", "vigie prune (again)")])


def print_runs(rows: list[tuple]) -> None:
    print(f"{'operation':<30} {'first line':>10} {'total':>8} {'peak RSS':>9} {'lines':>9}")
    for label, first, total, rss, lines, code in rows:
        shown = "-" if first is None else f"{first:.2f} s"
        print(f"{label:<30} {shown:>10} {total:>6.2f} s {rss:>6.0f} MB {lines:>9,}" + ("" if code == 0 else " FAILED"))


def observatory(url: str, *, now: datetime, long_listing: int) -> None:
    from bench.big_store_views import REPEATS, compare
    from store.db import make_engine, session_factory

    engine = make_engine(url)
    print(f"\n{'observatory read (in-process)':<40} {'before best/median':>20} {'after best/median':>20}")
    for what, before, after in compare(session_factory(engine), now=now, long_listing=long_listing):
        print(f"{what:<40} {_ms(before):>20} {_ms(after):>20}")
    print(f"({REPEATS} runs each)")
    engine.dispose()


def _ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:.1f} / {pair[1] * 1000:.1f} ms"


if __name__ == "__main__":
    main()
