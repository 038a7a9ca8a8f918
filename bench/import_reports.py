"""Time of `vigie import` of a 10,000-row Amazon All Listings report (French headers, Windows-1252), then of its
re-import as a sync, as a user runs them: the real command, in a process of its own, on a fresh database.

    .venv/bin/python bench/import_reports.py [--rows 10000] [--database sqlite|postgresql]

Each host is resolved once per import (www.amazon.fr: once for 10,000 rows), the account's listings are read in
one query and new listings written 1,000 per transaction. With no network, www.amazon.fr does not resolve: the
import warns once and accepts the rows (the crawler checks every fetch anyway), as it does offline.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ("nom-produit\tdescription-article\tid-offre\tsku-vendeur\tprix\tquantité\tdate-ouverture\timage-url\t"
          "item-is-marketplace\ttype-id-produit\tzshop-shipping-fee\tnote-état-article\tétat-produit\tzshop-category1\t"
          "zshop-browse-path\tzshop-storefront-feature\tasin1\tasin2\tasin3\texpédition-international\t"
          "livraison-express\tzshop-boldface\tid-produit\tbid-for-featured-placement\tadd-delete\tpending-quantity\t"
          "canal-traitement\tgroupe-expédition-vendeur\tétat")


def report(rows: int, *, skip_every: int = 0) -> bytes:
    """`rows` offers (ASINs B0BENCH000..), every `skip_every`-th left out (a shop a week later)."""
    lines = [HEADER]
    for n in range(rows):
        if skip_every and n % skip_every == 0:
            continue
        asin, status = f"B0{n:08d}", "Inactif" if n % 50 == 49 else "Actif"
        lines.append("\t".join([f"Théière en fonte émaillée n°{n} 1,2 L", "", f"0205B{n:06d}", f"SKU-{n:06d}",
                                "39,90", "4", "05/02/2024 09:41:07 CET", "", "y", "4", "", "", "11", "", "", "",
                                asin, "", "", "", "", "", f"376{n:010d}", "", "", "0", "DEFAULT",
                                "Modèle Amazon par défaut", status]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def fresh_postgres(server: str) -> str:
    """An empty database of this bench's own (other benches keep theirs)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS vigie_bench_import WITH (FORCE)")
        conn.execute("CREATE DATABASE vigie_bench_import")
    return f"{server.replace('postgresql://', 'postgresql+psycopg://')}/vigie_bench_import"


def timed(command: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    return done.returncode, time.monotonic() - started, done.stderr.strip().splitlines()[-1] if done.stderr else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "VIGIE_DATA_DIR": f"{work}/data"}
        env.pop("VIGIE_ALLOW_PRIVATE_HOSTS", None)
        if args.database == "postgresql":
            env["VIGIE_DATABASE_URL"] = fresh_postgres(args.server)
        else:
            env["VIGIE_DATABASE_URL"] = f"sqlite:///{work}/bench.db"
        first, later = Path(work, "report.txt"), Path(work, "report-next-week.txt")
        first.write_bytes(report(args.rows))
        later.write_bytes(report(args.rows, skip_every=100))
        vigie = [sys.executable, "-m", "vigie"]
        timed(vigie + ["list", "--json"], env)  # creates and migrates the database: not timed below
        _, startup, _ = timed(vigie + ["list", "--json"], env)
        print(f"a command that does nothing (start-up, for reference): {startup:.2f} s; load {os.getloadavg()[0]:.1f}")
        for name, command in (("first import", ["import", str(first), "--site", "amazon.fr"]),
                              ("re-import, --sync", ["import", str(later), "--sync"])):
            code, seconds, last = timed(vigie + command, env)
            print(f"{name}: {args.rows:,} rows in {seconds:.2f} s ({args.database}; exit {code}): {last}")
            if code not in (0, 1):
                sys.exit(1)


if __name__ == "__main__":
    main()
