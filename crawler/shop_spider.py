"""The storefront spider: walks a shop's pages (bounded, at the marketplace's pace), then looks at the
product page of each offer the detector says went missing, and hands one WalkResult to the pipeline.

The reading is the results page object's (spiders.results.parser_for("shop", marketplace)); the
product pages are read by the product's own marketplace adapter; storing is ShopRecordPipeline's.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.listing_spider import HANDLED_STATUSES, ListingSpider, _elapsed, _headers, _media_type
from crawler.shop_walk import PageFetch, WalkResult
from crawler.targets import CheckResult, CheckTarget
from detector.model import Observation, Outcome
from spiders import registry
from spiders.marketplace import Marketplace
from spiders.page import PageInput
from spiders.results import ResultsPage, parser_for

DEFAULT_MAX_PAGES = 20


def shop_marketplace(name: str) -> Marketplace:
    """The politeness of the marketplace the shop is on (the sandbox's is the generic one)."""
    try:
        known = registry.by_name(name)
    except KeyError:
        known = registry.by_name(registry.GENERIC_NAME)
    return Marketplace(name=name, domains=(), page=known.page, concurrency=min(known.concurrency, 2),
                       delay=max(known.delay, 0.0))


class ShopSpider(ListingSpider):
    """One per marketplace with shops due; `recorder` is a crawler.shop_recorder.ShopRecorder."""

    name = ""  # left out of `scrapy list`; named when started

    def __init__(self, *args: Any, marketplace_name: str = "sandbox", **kwargs: Any):
        kwargs.setdefault("name", f"shops-{marketplace_name}")
        super().__init__(*args, **kwargs)
        self.marketplace = shop_marketplace(marketplace_name)
        self.read = parser_for("shop", marketplace_name)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for target in self.targets:
            yield self.request_for(target)

    def browser_first(self, target: CheckTarget) -> bool:
        return False  # storefront pages are read as served; a shell is an unknown layout, i.e. incomplete

    @property
    def max_pages(self) -> int:
        return max(1, self.settings.getint("VIGIE_SHOP_MAX_PAGES", DEFAULT_MAX_PAGES))

    def request_for(self, target: CheckTarget) -> scrapy.Request:
        walk = WalkResult(target=target, started_at=datetime.now(UTC),
                          max_pages=min(self.max_pages, self.recorder.max_pages(target.listing_id)))
        return self._page_request(walk, target.url, 1)

    def _page_request(self, walk: WalkResult, url: str, number: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed, dont_filter=True,
                              meta={"target": walk.target, "walk": walk, "number": number,
                                    "handle_httpstatus_list": HANDLED_STATUSES, "vigie_started": time.monotonic()})

    # -- the storefront's pages -----------------------------------------------------------------------
    def parse_page(self, response: Response, **kwargs: Any):
        walk: WalkResult = response.meta["walk"]
        number: int = response.meta["number"]
        page = PageInput(url=response.url, body=response.body, status=response.status, requested_url=response.request.url,
                         headers=_headers(response), seller=walk.target.seller,
                         encoding=response.encoding if isinstance(response, TextResponse) else None,
                         decoded=response.text if isinstance(response, TextResponse) else None)
        refused = self.refused_body(response)
        try:
            read = ResultsPage(complete=False, reasons=(refused,)) if refused else self.read(page)
        except Exception as exc:  # a page object bug is an incomplete walk, never an empty shop
            self.logger.exception("shop reader %s failed on %s", self.marketplace.name, response.url)
            read = ResultsPage(complete=False, reasons=(f"reading failed: {type(exc).__name__}: {exc}",))
        walk.pages.append(PageFetch(number=number, url=response.request.url, fetched_at=datetime.now(UTC), read=read,
                                    final_url=response.url, http_status=response.status,
                                    elapsed_ms=_elapsed(response.meta), headers=page.headers,
                                    body=None if refused else response.body, media_type=_media_type(response)))
        yield from self._after_page(walk, read, number)

    def page_failed(self, failure: Failure):
        request = failure.request  # type: ignore[attr-defined]
        walk: WalkResult = request.meta["walk"]
        number = request.meta["number"]
        read = ResultsPage(complete=False, reasons=(f"error: {failure.getErrorMessage()[:300]}",))
        walk.pages.append(PageFetch(number=number, url=request.url, fetched_at=datetime.now(UTC), read=read,
                                    elapsed_ms=_elapsed(request.meta)))
        yield from self._after_page(walk, read, number)

    def _after_page(self, walk: WalkResult, read: ResultsPage, number: int):
        if read.complete and read.next_page:
            if urlsplit(read.next_page).netloc != urlsplit(walk.target.url).netloc:
                walk.stopped = f"page {number}: the next page is on another host, not followed"
            elif read.next_page in {page.url for page in walk.pages}:
                walk.stopped = f"page {number}: the next page loops back to one already read"
            elif number >= walk.max_pages:
                walk.stopped = f"stopped after {number} pages (the shop's max pages); the rest was not read"
            else:
                yield self._page_request(walk, read.next_page, number + 1)
                return
        yield from self._look_at_missing(walk)

    # -- the product pages of offers gone from the storefront -----------------------------------------
    def _look_at_missing(self, walk: WalkResult):
        missing = [offer for offer in self.recorder.missing_offers(walk.target.listing_id, walk.walk())
                   if offer.url]
        if not missing:
            yield walk
            return
        meta = {"walk": walk, "waiting": {offer.id for offer in missing}}
        for offer in missing:
            product = CheckTarget(listing_id=0, url=offer.url, marketplace=registry.for_url(offer.url).name,
                                  seller=walk.target.seller)
            yield scrapy.Request(offer.url, callback=self.parse_product, errback=self.product_failed, dont_filter=True,
                                 meta={**meta, "offer_id": offer.id, "target": product,
                                       "handle_httpstatus_list": HANDLED_STATUSES, "vigie_started": time.monotonic()})

    def parse_product(self, response: Response, **kwargs: Any):
        # the listing spider's own reading of a product page (walls, gone, the seller's offer), escalation aside
        target: CheckTarget = response.meta["target"]
        page = PageInput(url=response.url, body=response.body, status=response.status, requested_url=target.url,
                         headers=_headers(response), seller=target.seller,
                         encoding=response.encoding if isinstance(response, TextResponse) else None,
                         decoded=response.text if isinstance(response, TextResponse) else None)
        try:
            observation = registry.by_name(target.marketplace).observe(page)
        except Exception as exc:
            observation = Observation(Outcome.ERROR, reasons=(f"extraction failed: {type(exc).__name__}: {exc}",))
        result = CheckResult(target=target, observation=observation, fetched_at=datetime.now(UTC),
                             final_url=response.url, http_status=response.status, elapsed_ms=_elapsed(response.meta),
                             headers=page.headers, body=response.body, media_type=_media_type(response))
        yield from self._product_landed(response.meta, result)

    def product_failed(self, failure: Failure):
        request = failure.request  # type: ignore[attr-defined]
        result = CheckResult(target=request.meta["target"], fetched_at=datetime.now(UTC),
                             observation=Observation(Outcome.ERROR, reasons=(failure.getErrorMessage()[:300],)),
                             elapsed_ms=_elapsed(request.meta))
        yield from self._product_landed(request.meta, result)

    def _product_landed(self, meta: dict, result: CheckResult):
        walk: WalkResult = meta["walk"]
        walk.products[meta["offer_id"]] = result
        meta["waiting"].discard(meta["offer_id"])
        if not meta["waiting"]:
            yield walk
