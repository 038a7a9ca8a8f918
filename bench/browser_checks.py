"""Benchmark: N browser checks of sandbox pages through the normal pass (fetch in Chromium, wait for
product data, full-page screenshot, extract, snapshot, detect, store).

    .venv/bin/python bench/browser_checks.py [--listings 500] [--js 0.2] [--concurrency 32]
                                             [--no-screenshots] [--page-uses 10]

Reports checks/s of the crawl alone (start-up and registration excluded) and the browser's memory,
sampled every 0.5 s over Chromium's processes: peak RSS (summed, shared pages counted once per
process) and PSS (shared pages divided among their processes: what the browser holds), and the
mean PSS (and RSS) over the 100 checks after the first 100 versus over the last 100, which says
whether the browser keeps growing after warm-up. A single sample would swing with the renderers
alive at that instant. Also: tabs opened and browser restarts. Target on a 2-core machine:
≥ 8 checks/s, no growth after warm-up.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from crawler.browser import find_browser
from crawler.browser_memory import browser_pss, browser_rss
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, due_targets, run_pass
from sandbox.catalog import Catalog
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope, sqlite_url
from store.models import Listing

MB = 1024 * 1024


class CountingRecorder(Recorder):
    """The real recorder, counting the checks stored so far (the memory sampler reads the count)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = 0
        self.methods: dict[str, int] = {}

    def record_many(self, results):
        self.count += len(results)
        for result in results:
            self.methods[result.fetch_method] = self.methods.get(result.fetch_method, 0) + 1
        return super().record_many(results)


def mean_between(samples: list[tuple[int, int, int]], low: int, high: int, *, rss: bool = False) -> float:
    """Mean PSS (or summed RSS) of the samples taken while the check count was in [low, high)."""
    window = [sample[1 if rss else 2] for sample in samples if low <= sample[0] < high]
    return sum(window) / len(window) if window else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=500)
    parser.add_argument("--js", type=float, default=0.2, help="share of pages built by JavaScript after load")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-screenshots", action="store_true", help="measure the cost of the screenshots")
    parser.add_argument("--page-uses", type=int, help="checks per browser tab before it is closed")
    args = parser.parse_args()
    if find_browser(None) is None:
        sys.exit("no Chromium found: apt-get install chromium, or playwright install chromium")
    catalog = Catalog()
    products = catalog.bulk(args.listings, prefix="b")
    for product in products[: int(len(products) * args.js)]:
        catalog.patch(product.id, state="js_rendered")
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp, run_in_thread(catalog) as sandbox:
        tmp_path = Path(tmp)
        urls = [f"{sandbox.url}/p/{p.id}" for p in catalog.all()]
        (tmp_path / "listings.csv").write_text("url\n" + "\n".join(urls))
        env = {**os.environ, "VIGIE_DATA_DIR": str(tmp_path / "data"), "VIGIE_ALLOW_PRIVATE_HOSTS": "1",
               "VIGIE_DATABASE_URL": ""}
        subprocess.run([sys.executable, "-m", "vigie", "import", str(tmp_path / "listings.csv")], env=env,
                       check=True, capture_output=True)
        engine = make_engine(sqlite_url(tmp_path / "data"))
        sessions = session_factory(engine)
        with session_scope(sessions) as session:
            session.execute(update(Listing).values(browser=True))
        with session_scope(sessions) as session:
            targets = due_targets(session, now=datetime.now(UTC), every=True)
        recorder = CountingRecorder(sessions, RecorderConfig())

        samples: list[tuple[int, int, int]] = []  # (checks stored, RSS, PSS)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                samples.append((recorder.count, browser_rss(), browser_pss()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        extra = {"VIGIE_BROWSER_SCREENSHOTS": False} if args.no_screenshots else {}
        if args.page_uses:
            extra["VIGIE_BROWSER_PAGE_USES"] = args.page_uses
        report = run_pass(targets, recorder, CrawlOptions(allow_private_hosts=True, concurrency=args.concurrency,
                                                          extra=extra))
        done.set()
        sampler.join()
        engine.dispose()
    outcomes: dict[str, int] = {}
    for _, recorded in report.results:
        outcomes[recorded.outcome] = outcomes.get(recorded.outcome, 0) + 1
    rate = len(report.results) / report.elapsed_seconds
    print(f"browser checks : {len(report.results)} in {report.elapsed_seconds:.2f} s = {rate:.1f} checks/s "
          f"(target ≥ 8); {int(len(products) * args.js)} pages built by JavaScript")
    print(f"fetch methods  : {recorder.methods}; outcomes: {outcomes}")
    counters = report.counters
    print(f"browser tabs   : {counters.get('playwright/page_count', 0)} opened for {len(report.results)} checks; "
          f"browser recycled {counters.get('vigie/browser/recycled', 0)} times")
    total = recorder.count
    early, late = mean_between(samples, 100, 200), mean_between(samples, total - 100, total)
    print(f"browser memory : peak RSS {max(s[1] for s in samples) / MB:.0f} MB, "
          f"peak PSS {max(s[2] for s in samples) / MB:.0f} MB (summed over Chromium's processes)")
    windows = [f"{mean_between(samples, low, low + 100) / MB:.0f}" for low in range(0, total, 100)]
    print(f"PSS by 100     : {', '.join(windows)} MB (mean per window of 100 checks)")
    if total >= 300:  # a window after warm-up and a last one that do not overlap
        for name, first, last in (("PSS", early, late), ("RSS", mean_between(samples, 100, 200, rss=True),
                                                        mean_between(samples, total - 100, total, rss=True))):
            print(f"after warm-up  : mean {name} over checks 100-199 {first / MB:.0f} MB, over checks "
                  f"{total - 100}-{total - 1} {last / MB:.0f} MB ({(last - first) / first * 100 if first else 0:+.1f} %)")


if __name__ == "__main__":
    main()
