"""Benchmark: `vigie check --all` over N sandbox listings against a bare Scrapy spider on the same URLs.

    .venv/bin/python bench/check_vs_bare.py [--listings 2000] [--concurrency 32]

Both run in child processes against one sandbox, in the same run; each reports the time of its
crawl alone (process start-up and registration excluded). Target: Vigie ≥ 0.7 × the bare rate.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox.catalog import Catalog
from sandbox.server import run_in_thread

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    catalog = Catalog()
    catalog.bulk(args.listings, prefix="b")
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp, run_in_thread(catalog) as sandbox:
        tmp_path = Path(tmp)
        urls = [f"{sandbox.url}/p/{p.id}" for p in catalog.all()]
        (tmp_path / "urls.txt").write_text("\n".join(urls))
        (tmp_path / "listings.csv").write_text("url\n" + "\n".join(urls))
        env = {**os.environ, "VIGIE_DATA_DIR": str(tmp_path / "data"), "VIGIE_ALLOW_PRIVATE_HOSTS": "1",
               "VIGIE_CONCURRENCY": str(args.concurrency), "VIGIE_DATABASE_URL": ""}
        vigie = [sys.executable, "-m", "vigie"]
        started = time.monotonic()
        subprocess.run([*vigie, "import", str(tmp_path / "listings.csv")], env=env, check=True,
                       capture_output=True)
        print(f"registered {len(urls)} listings in {time.monotonic() - started:.1f} s")

        bare = json.loads(subprocess.run([sys.executable, str(HERE / "bare_spider.py"), str(tmp_path / "urls.txt"),
                                          str(args.concurrency)], check=True, capture_output=True, text=True).stdout)
        checked = json.loads(subprocess.run([*vigie, "check", "--all", "--json"], env=env, check=True,
                                            capture_output=True, text=True).stdout)
    vigie_rate = checked["checked"] / checked["elapsed_seconds"]
    print(f"bare scrapy : {bare['pages']} pages in {bare['seconds']:.2f} s = {bare['rate']:.0f} pages/s")
    print(f"vigie check : {checked['checked']} listings in {checked['elapsed_seconds']:.2f} s = {vigie_rate:.0f} "
          f"checks/s (fetch, extract, snapshot, detect, store)")
    print(f"ratio       : {vigie_rate / bare['rate']:.2f} (target ≥ 0.70)")


if __name__ == "__main__":
    main()
