"""Benchmark: one storefront check of N pages (default 20) against the sandbox, through `vigie check`.

    .venv/bin/python bench/shop_walk.py [--pages 20] [--page-size 24] [--runs 3]

Reports, per run, the crawl's own time (the walk: every page fetched, read and recorded, chained, as
`vigie check --json` counts it) and the command's wall time (start-up, migrations check and alert
delivery included). The walk is sequential by nature (each page names the next one), so this is the
latency of one shop check, at the marketplace's pace (the sandbox is read at the generic adapter's).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread

SELLER = "Atelier Dupont"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    count = args.pages * args.page_size
    catalog = Catalog(Product(id=f"s{n:05d}", title=f"Article de démonstration n°{n}",
                              price=Decimal(500 + (n * 739) % 99_500) / 100, seller=SELLER) for n in range(count))
    data = tempfile.mkdtemp(prefix="vigie-shop-bench-")
    with run_in_thread(catalog) as sandbox:
        sandbox.app.storefronts.set("atelier-dupont", page_size=args.page_size)
        env = {**os.environ, "VIGIE_DATA_DIR": data, "VIGIE_ALLOW_PRIVATE_HOSTS": "1", "VIGIE_DATABASE_URL": "",
               "VIGIE_SHOP_MAX_PAGES": str(args.pages)}
        vigie = [sys.executable, "-m", "vigie"]
        subprocess.run([*vigie, "add-shop", f"{sandbox.url}/shop/atelier-dupont", "--max-pages", str(args.pages)],
                       env=env, check=True, capture_output=True)
        crawls, walls = [], []
        for run in range(args.runs):
            started = time.monotonic()
            done = subprocess.run([*vigie, "check", "--all", "--json"], env=env, check=True, capture_output=True,
                                  text=True)
            walls.append(time.monotonic() - started)
            report = json.loads(done.stdout)
            crawls.append(report["elapsed_seconds"])
            print(f"run {run + 1}: {report['results'][0]['outcome']}, walk {crawls[-1]:.2f} s, "
                  f"command {walls[-1]:.2f} s", flush=True)
        shops = json.loads(subprocess.run([*vigie, "shops", "--json"], env=env, check=True, capture_output=True,
                                          text=True).stdout)
    print(json.dumps({"pages": args.pages, "offers": count, "offers_known": shops[0]["offers_known"],
                      "walk_s_median": round(statistics.median(crawls), 2),
                      "command_s_median": round(statistics.median(walls), 2),
                      "ms_per_page": round(1000 * statistics.median(crawls) / args.pages, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
