"""Vigie's crawl settings hold whatever the working directory: systemd, cron and a user's home have no
scrapy.cfg, and a crawl that silently ran on Scrapy's defaults would record nothing and guard nothing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from crawler.runner import (GUARD_MIDDLEWARE, GUARD_RESOLVER, MAX_DOWNLOAD_SIZE, RECORD_PIPELINE,
                            UnsafeCrawlSettings, check_crawl_settings, project_settings)
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Vigie

ROOT = Path(__file__).parents[2]

# The effective settings of the crawler a pass would start for the generic spider, printed as JSON.
EFFECTIVE = """
import json
from scrapy.crawler import CrawlerProcess
from crawler.runner import CrawlOptions, scrapy_settings, spider_classes
process = CrawlerProcess(scrapy_settings(CrawlOptions()))
settings = process.create_crawler(spider_classes()["generic"]).settings
print(json.dumps({
    "pipelines": dict(settings.getwithbase("ITEM_PIPELINES")),
    "middlewares": dict(settings.getwithbase("DOWNLOADER_MIDDLEWARES")),
    "resolver": settings.get("TWISTED_DNS_RESOLVER"),
    "maxsize": settings.getint("DOWNLOAD_MAXSIZE"),
    "retry": settings.getbool("RETRY_ENABLED"),
    "cookies": settings.getbool("COOKIES_ENABLED"),
    "per_domain": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
    "spiders": sorted(spider_classes()),
}))
"""


def in_temp_dir(tmp_path: Path, script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `script` with the checkout's Python, from `tmp_path`, as cron or systemd would."""
    return subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_a_pass_started_from_another_directory_has_vigies_settings(tmp_path):
    # a stranger's Scrapy project in the working directory, and one named in the environment
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = strangers\n")
    (tmp_path / "strangers.py").write_text("ITEM_PIPELINES = {}\nDOWNLOAD_MAXSIZE = 0\nRETRY_ENABLED = True\n")
    done = in_temp_dir(tmp_path, EFFECTIVE, SCRAPY_SETTINGS_MODULE="strangers")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["pipelines"][RECORD_PIPELINE] == 300
    assert found["middlewares"][GUARD_MIDDLEWARE] == 50
    assert found["resolver"] == GUARD_RESOLVER
    assert found["maxsize"] == MAX_DOWNLOAD_SIZE
    assert (found["retry"], found["cookies"]) == (False, False)
    assert found["per_domain"] < 16  # the marketplace's own limit, not Scrapy's default
    assert "amazon" in found["spiders"] and "generic" in found["spiders"]


@pytest.mark.parametrize("change, complaint", [
    ({"ITEM_PIPELINES": {RECORD_PIPELINE: None}}, "RecordPipeline"),
    ({"VIGIE_RECORD": False}, "RecordPipeline"),
    ({"DOWNLOADER_MIDDLEWARES": {GUARD_MIDDLEWARE: None}}, "PublicOnlyMiddleware"),
    ({"TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingThreadedResolver"}, "DNS rebinding"),
    ({"DOWNLOAD_MAXSIZE": 0}, "DOWNLOAD_MAXSIZE"),
    ({"DOWNLOAD_MAXSIZE": 1024 ** 3}, "DOWNLOAD_MAXSIZE"),
    ({"RETRY_ENABLED": True}, "retries"),
    ({"COOKIES_ENABLED": True}, "cookies"),
])
def test_unsafe_crawl_settings_are_refused(change, complaint):
    settings = project_settings()
    check_crawl_settings(settings)  # Vigie's own pass
    settings.setdict(change, priority="cmdline")
    with pytest.raises(UnsafeCrawlSettings, match=complaint):
        check_crawl_settings(settings)


# A pass whose results are dropped before the record pipeline: the report must count them as lost.
LOSSY_PASS = """
import json, sys
from datetime import UTC, datetime
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, due_targets, run_pass
from store.db import make_engine, session_factory, session_scope

sessions = session_factory(make_engine(sys.argv[1]))
with session_scope(sessions) as session:
    targets = due_targets(session, now=datetime.now(UTC), every=True)
report = run_pass(targets, Recorder(sessions, RecorderConfig()), CrawlOptions(
    allow_private_hosts=True, browser=False, extra={"ITEM_PIPELINES": {"dropper.DropOdd": 100, "crawler.pipelines.RecordPipeline": 300}}))
print(json.dumps({"produced": report.produced, "recorded": len(report.results), "lost": report.lost}))
"""

DROPPER = """
from scrapy.exceptions import DropItem

class DropOdd:
    def process_item(self, item):
        if item.target.listing_id % 2:
            raise DropItem("test: dropped before recording")
        return item
"""


def test_results_dropped_before_recording_are_counted_as_lost(tmp_path, database_url):
    catalog = Catalog(Product(id=f"p{i}", title=f"Produit {i}", price=Decimal("10.00"), seller="S") for i in range(4))
    with run_in_thread(catalog) as sandbox:
        vigie = Vigie(tmp_path / "data", database_url)
        for i in range(4):
            vigie.ok("add", f"{sandbox.url}/p/p{i}")
        (tmp_path / "dropper.py").write_text(DROPPER)
        done = in_temp_dir(tmp_path, LOSSY_PASS, database_url, PYTHONPATH=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"produced": 4, "recorded": 2, "lost": 2}
