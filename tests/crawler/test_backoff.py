"""The service's back-off against a real shop over loopback: a 429's Retry-After is a pause that no request
of the slot breaks, however Scrapy's random delay draws, and answers already on their way when the pause
began do not stretch it."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

from scrapy import signals
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.politeness import FIRST_BACKOFF, RESUME_PACE, Backoff, pushed_back_signal

ROOT = Path(__file__).parents[2]
RETRY_AFTER = 6  # seconds: more than Scrapy's shortest random wait for such a delay (half of it) plus slack

# One spider fetching `count` pages through the service's politeness settings and back-off. Scrapy
# waits delay × a random factor (0.5–1.5) between a slot's requests: here the factor is always its smallest.
CRAWL = """
import random, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.politeness import politeness_settings

random.uniform = lambda low, high: low
url, count = sys.argv[1], int(sys.argv[2])

class Pages(scrapy.Spider):
    name = "pages"
    async def start(self):
        for n in range(count):
            yield scrapy.Request(f"{url}/p/{n}", dont_filter=True, callback=self.parse)
    def parse(self, response):
        pass

settings = {**politeness_settings(obey_robots=False),
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "RETRY_ENABLED": False, "HTTPERROR_ALLOW_ALL": True, "LOG_LEVEL": "ERROR", "DOWNLOAD_DELAY": 0.05,
            "AUTOTHROTTLE_START_DELAY": 0.05, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "TELNETCONSOLE_ENABLED": False}
process = CrawlerProcess(settings)
process.crawl(Pages)
process.start()
"""


PAGE = b"<html><body><h1>Chaise</h1></body></html>"


class PushyShop:
    """Answers every page, except for `window` seconds after the `after`-th: 429 with a Retry-After then,
    held until the window closes (so the requests sent meanwhile are refused too, all answered together)."""

    def __init__(self, *, after: int, retry_after: int, window: float):
        self.hits: list[tuple[float, int]] = []
        self.pushed_at: float | None = None
        lock = threading.Lock()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with lock:
                    now = time.monotonic()
                    if shop.pushed_at is None and len(shop.hits) == after:
                        shop.pushed_at = now
                    status = 429 if shop.pushed_at is not None and now - shop.pushed_at < window else 200
                    shop.hits.append((now, status))
                if status == 429:
                    time.sleep(max(0.0, shop.pushed_at + window - time.monotonic()))
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(retry_after))
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def crawl_pushy_shop(tmp_path: Path, *, window: float) -> PushyShop:
    """30 pages through the service's politeness; the shop pushes back at the 9th, for `window` seconds."""
    shop = PushyShop(after=8, retry_after=RETRY_AFTER, window=window)
    try:
        done = subprocess.run([sys.executable, "-c", CRAWL, shop.url, "30"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        shop.close()
    assert done.returncode == 0, done.stderr[-3000:]
    assert shop.pushed_at is not None and len(shop.hits) == 30
    return shop


def test_a_retry_after_holds_the_slot_for_its_whole_length(tmp_path):
    shop = crawl_pushy_shop(tmp_path, window=0.001)
    at = shop.pushed_at
    assert [s for _, s in shop.hits].count(429) == 1
    later = [t - at for t, _ in shop.hits if t > at]
    # requests sent before the 429 was read may still arrive (concurrency 4, a loaded machine may take its
    # time); then nothing until the pause ends (the old code sent the slot's queue from 3 s on)
    assert not [d for d in later if 1.5 < d < RETRY_AFTER], later
    assert later[-1] >= RETRY_AFTER  # and the crawl went on after it


def test_answers_already_on_their_way_do_not_stretch_the_pause(tmp_path):
    # the shop refuses everything for 0.3 s: the requests sent meanwhile come back 429 too, once the pause began
    shop = crawl_pushy_shop(tmp_path, window=0.3)
    at = shop.pushed_at
    refused = [t - at for t, s in shop.hits if s == 429]
    resumed = [t - at for t, s in shop.hits if s == 200 and t > at]
    assert len(refused) >= 2, refused
    # one pause of 6 s from when the refusals came back, not 6, then 12, then 24 (doubled for each of them)
    assert 0.3 + RETRY_AFTER <= resumed[0] < 0.3 + RETRY_AFTER + 2, (refused, resumed)


def test_pauses_double_only_across_push_backs_and_recover_on_ordinary_answers():
    crawler = get_crawler(settings_dict={"VIGIE_BACKOFF_ENABLED": True, "DOWNLOAD_DELAY": 0.05})
    slot = Slot(1, 0.05)
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots={"shop": slot}, get_slot_key=lambda r: "shop"))
    backoff = Backoff.from_crawler(crawler)
    shared = []
    crawler.signals.connect(lambda **kw: shared.append(kw["delay"]), signal=pushed_back_signal, weak=False)
    request = Request("https://shop.test/p/1")

    def answer(status: int, **headers: str) -> None:
        slot.lastseen = time.monotonic()  # as Scrapy stamps the slot when it sends a request
        crawler.signals.send_catch_log(signal=signals.response_downloaded, request=request, spider=None,
                                       response=HtmlResponse(request.url, status=status, headers=headers,
                                                             body=b"<h1>Chaise</h1>"))

    def pause_ended() -> None:
        backoff.held_until["shop"] = time.monotonic() - 0.01

    answer(429)  # no Retry-After: the first pause
    assert backoff.pauses["shop"] == FIRST_BACKOFF and slot.lastseen >= time.monotonic() + FIRST_BACKOFF - 0.5
    assert slot.delay == RESUME_PACE and shared == [FIRST_BACKOFF]
    answer(429, **{"Retry-After": "2"})  # an answer of the same push-back: the pause is not doubled
    answer(200)  # nor shortened by an answer to a request sent before it
    assert backoff.pauses["shop"] == FIRST_BACKOFF and slot.delay == RESUME_PACE
    pause_ended()
    answer(429)  # pushed back again before recovering: twice the pause, twice the pace
    assert backoff.pauses["shop"] == 2 * FIRST_BACKOFF and slot.delay == 2 * RESUME_PACE
    assert shared == [FIRST_BACKOFF, FIRST_BACKOFF, 2 * FIRST_BACKOFF]  # what cluster nodes are told
    pause_ended()
    answer(200)
    assert backoff.pauses["shop"] == FIRST_BACKOFF and slot.delay == RESUME_PACE
    answer(200)
    assert "shop" not in backoff.pauses and slot.delay == RESUME_PACE / 2
    answer(429, **{"Retry-After": "30"})  # a Retry-After longer than the back-off wins
    assert backoff.pauses["shop"] == 30 and slot.lastseen >= time.monotonic() + 29
