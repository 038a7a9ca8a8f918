"""Benchmark: N browser checks of sandbox pages through the normal pass (fetch in Chromium, wait for
product data, full-page screenshot, extract, snapshot, detect, store).

    .venv/bin/python bench/browser_checks.py [--listings 500] [--js 0.2] [--concurrency 32]

Reports checks/s of the crawl alone (start-up and registration excluded), the peak RSS of the
browser processes (summed over Chromium's processes, sampled every 100 ms), and their RSS after
100 checks versus after the last. Target on a 2-core machine: ≥ 8 checks/s, no growth after warm-up.
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
from crawler.browser_memory import browser_rss
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, due_targets, run_pass
from sandbox.catalog import Catalog
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope, sqlite_url
from store.models import Listing

MB = 1024 * 1024


class SampledRecorder(Recorder):
    """The real recorder, noting the browser's RSS after given numbers of checks."""

    def __init__(self, *args, marks: tuple[int, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.marks = set(marks)
        self.count = 0
        self.rss_at: dict[int, int] = {}
        self.methods: dict[str, int] = {}

    def record_many(self, results):
        before, self.count = self.count, self.count + len(results)
        for result in results:
            self.methods[result.fetch_method] = self.methods.get(result.fetch_method, 0) + 1
        for mark in self.marks:
            if before < mark <= self.count:  # results arrive in batches: sample when one crosses a mark
                self.rss_at[mark] = browser_rss()
        return super().record_many(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=500)
    parser.add_argument("--js", type=float, default=0.2, help="share of pages built by JavaScript after load")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-screenshots", action="store_true", help="measure the cost of the screenshots")
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
        recorder = SampledRecorder(sessions, RecorderConfig(), marks=(min(100, len(targets)), len(targets)))

        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], browser_rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        extra = {"VIGIE_BROWSER_SCREENSHOTS": False} if args.no_screenshots else {}
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
    print(f"browser RSS    : peak {peak[0] / MB:.0f} MB; after 100 checks {recorder.rss_at.get(100, 0) / MB:.0f} MB, "
          f"after {recorder.count} {recorder.rss_at.get(recorder.count, 0) / MB:.0f} MB "
          f"(summed over Chromium processes)")


if __name__ == "__main__":
    main()
