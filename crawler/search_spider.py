"""The search spider (issue 27): walks the first K results pages of a search watch's query, at a pace of its
own, and hands one WalkResult to the pipeline (crawler.shop_pipeline, which calls the spider's recorder).

Search pages are the most guarded pages of a marketplace: each search crawler is a crawler of its own, with
its own download slots and one request per marketplace every 1 / VIGIE_SEARCH_RATE seconds, so a seller's
keywords never take their turn from the listing checks. The service gives it its SearchLimits
(crawler.search_limits): each walk's pages come out of the marketplace's daily budget, and in cluster mode each
page takes a turn of the search pace shared by all nodes. The reading is the results page object's
(spiders.results.parser_for("search", marketplace)); storing and judging are crawler.search_recorder's.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy import signals

from crawler.search_limits import LeftDue, SearchLimits
from crawler.shop_spider import ShopSpider
from crawler.shop_walk import WalkResult
from crawler.targets import CheckTarget
from spiders.results import ResultsPage, parser_for

DEFAULT_SEARCH_RATE = 0.2  # requests per second and marketplace: one search page every 5 s (VIGIE_SEARCH_RATE)


class SearchSpider(ShopSpider):
    """One per marketplace with search watches due; `recorder` is a crawler.search_recorder.SearchRecorder."""

    def __init__(self, *args: Any, marketplace_name: str = "sandbox", limits: SearchLimits | None = None,
                 **kwargs: Any):
        kwargs.setdefault("name", f"search-{marketplace_name}")
        super().__init__(*args, marketplace_name=marketplace_name, **kwargs)
        self.read = parser_for("search", marketplace_name)
        self.limits = limits  # None: no budget, the delay alone (tools, tests)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # a walk's row stored (or found unstorable) by the pipeline: a budget read from the database counts it
        for sent in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.walk_stored, signal=sent)
        return spider

    def walk_stored(self, item: Any, **kwargs: Any) -> None:
        if self.limits is not None and isinstance(item, WalkResult):
            self.limits.stored(item.target)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """A one-shot pass's walks: one beyond the day's budget is not started, and stays due (said in the report)."""
        for target in self.targets:
            try:
                request = self.request_for(target)
            except LeftDue:
                leave_due = getattr(self.report, "leave_due", None)
                if leave_due is not None:
                    leave_due(target)
                continue
            yield request

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        rate = settings.getfloat("VIGIE_SEARCH_RATE", DEFAULT_SEARCH_RATE)
        settings.set("DOWNLOAD_DELAY", 1 / rate if rate > 0 else 1 / DEFAULT_SEARCH_RATE, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="spider")
        # late in the chain: a page takes its shared turn just before its download slot sends it
        settings.set("DOWNLOADER_MIDDLEWARES", {"crawler.search_limits.SearchTurnMiddleware": 900}, priority="spider")

    def request_for(self, target: CheckTarget) -> scrapy.Request:
        """The walk's first page; LeftDue (crawler.search_limits) when its pages do not fit in today's budget."""
        pages = self.recorder.max_pages(target.listing_id)
        if self.limits is not None:
            self.limits.reserve(target, pages)
        walk = WalkResult(target=target, started_at=datetime.now(UTC), max_pages=pages)
        return self._page_request(walk, target.url, 1)

    def _after_page(self, walk: WalkResult, read: ResultsPage, number: int):
        # the first K pages are the question: reaching page K ends a walk complete; anything else cut is not
        if read.complete and read.next_page and number < walk.max_pages:
            if urlsplit(read.next_page).netloc != urlsplit(walk.target.url).netloc:
                walk.stopped = f"page {number}: the next page is on another host, not followed"
            elif read.next_page in {page.url for page in walk.pages}:
                walk.stopped = f"page {number}: the next page loops back to one already read"
            else:
                yield self._page_request(walk, read.next_page, number + 1)
                return
        if self.limits is not None:
            self.limits.settle(walk.target, len(walk.pages))
        yield walk
