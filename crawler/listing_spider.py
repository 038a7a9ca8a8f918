"""The base of every marketplace spider: check targets in, CheckResults out.

Marketplace modules subclass it with two lines (`name`, `marketplace`); what a spider knows
about a listing arrives as `CheckTarget`s from the crawl runner. Reading the page is the
page object's job (spiders/), storing it the pipeline's.
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, AsyncIterator, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.browser_page import browser_meta, screenshot_of
from crawler.browser_size import TOO_BIG_META
from crawler.capture import capture_context
from crawler.egress_proxy import REFUSED_HEADER
from crawler.escalation import escalation_reason
from crawler.fetch_failures import count_received, failure_reason
from crawler.netguard import connect_refusal
from crawler.targets import CheckResult, CheckTarget
from detector.model import Observation, Outcome
from spiders.marketplace import Marketplace
from spiders.page import PageInput

# Headers kept as evidence: what explains the answer, not the whole response.
EVIDENCE_HEADERS = ("content-type", "content-length", "date", "last-modified", "location", "retry-after",
                    "server", "x-datadome", "cf-ray", "cf-mitigated", "x-amz-rid", "x-cache")

# Every non-redirect status reaches the spider: a 404 or a 429 is a finding, not a failure.
HANDLED_STATUSES = [s for s in range(400, 600)]

# What a product URL may answer with and still be read as a page; a PDF, a picture or an archive is not.
PAGE_MEDIA_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/json", "application/ld+json")


class ListingSpider(scrapy.Spider):
    name = "listing"
    marketplace: Marketplace

    def __init__(self, targets: Iterable[CheckTarget] = (), recorder: Any = None, report: Any = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.targets = list(targets)
        self.recorder = recorder  # crawler.recorder.Recorder, used by RecordPipeline
        self.report = report
        # one bound method for every request: Scrapy caches its per-callback source inspection
        # (warn_on_generator_with_return_value) on weak references, so a fresh `self.parse` per request
        # re-read and re-parsed this module's source for every response (12% of a static pass)
        self._parse_callback, self._failed_callback = self.parse, self.failed

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # bytes counted per request: a body cut at the size limit without a Content-Length can say so
        crawler.signals.connect(spider.bytes_received, signal=signals.bytes_received)
        return spider

    def bytes_received(self, data: bytes, request: scrapy.Request, **kwargs: Any) -> None:
        count_received(request.meta, data)

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        marketplace = getattr(cls, "marketplace", None)
        if marketplace is not None:
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", marketplace.concurrency, priority="spider")
            settings.set("DOWNLOAD_DELAY", marketplace.delay, priority="spider")

    async def start(self) -> AsyncIterator[scrapy.Request | CheckResult]:
        for target in self.targets:
            if self.browser_first(target) and self.browser_enabled:
                yield self.browser_request_for(target)
            elif self.browser_first(target) and self.browser_unavailable:
                yield self.no_browser_result(target)
            else:  # static, also when the crawl disabled the browser path on purpose
                yield self.request_for(target)

    # -- the browser path ------------------------------------------------------------------------
    def browser_first(self, target: CheckTarget) -> bool:
        """Marketplaces that build pages in the browser, and listings registered with --browser."""
        return target.browser or self.marketplace.needs_browser

    @property
    def browser_enabled(self) -> bool:
        return self.settings.getbool("VIGIE_BROWSER_ENABLED", False)

    @property
    def browser_unavailable(self) -> str:
        return self.settings.get("VIGIE_BROWSER_UNAVAILABLE") or ""

    def browser_request_for(self, target: CheckTarget, *, escalated: str | None = None) -> scrapy.Request | None:
        """The same check through the browser; None when no browser is enabled for this crawl."""
        if not self.browser_enabled:
            return None
        request = self.request_for(target)
        request.meta.update(browser_meta(
            ready_timeout_ms=self.settings.getint("VIGIE_BROWSER_READY_TIMEOUT_MS", 15_000),
            screenshot=self.settings.getbool("VIGIE_BROWSER_SCREENSHOTS", True)))
        if escalated:
            request.meta["vigie_escalated"] = escalated
        return request

    def no_browser_result(self, target: CheckTarget) -> CheckResult:
        self.note_no_browser()
        return CheckResult(target=target, observation=Observation(Outcome.ERROR, reasons=(self.browser_unavailable,)),
                           fetched_at=datetime.now(UTC), fetch_method="browser", elapsed_ms=0)

    def closed(self, reason: str) -> None:
        if self.report is not None and hasattr(self.report, "count"):
            self.report.count(self.crawler.stats.get_stats())

    def note_no_browser(self) -> None:
        """Tell the operator once per pass, through the pass report, how to get a browser."""
        if self.browser_unavailable and self.report is not None and hasattr(self.report, "note"):
            self.report.note(self.browser_unavailable)

    # -- fetching and reading ----------------------------------------------------------------------
    def request_for(self, target: CheckTarget) -> scrapy.Request:
        return scrapy.Request(
            target.url,
            callback=self._parse_callback,
            errback=self._failed_callback,
            dont_filter=True,
            meta={"target": target, "handle_httpstatus_list": HANDLED_STATUSES, "vigie_started": time.monotonic()},
        )

    def parse(self, response: Response, **kwargs: Any):
        target: CheckTarget = response.meta["target"]
        browser = response.meta.get("vigie_fetch_method") == "browser"
        page = PageInput(
            url=response.url,
            body=response.body,
            status=response.status,
            requested_url=target.url,
            headers=_headers(response),
            seller=target.seller,
            encoding=response.encoding if isinstance(response, TextResponse) else None,
            decoded=response.text if isinstance(response, TextResponse) else None,
        )
        capture = capture_context(response, browser=browser)
        refused = self.refused_body(response)
        if refused:  # no page to read, and nothing worth keeping: the reason says what came
            yield CheckResult(target=target, observation=Observation(Outcome.ERROR, reasons=(refused,)),
                              fetched_at=datetime.now(UTC), final_url=response.url, http_status=response.status,
                              fetch_method=response.meta.get("vigie_fetch_method", "http"),
                              elapsed_ms=_elapsed(response.meta), headers=page.headers, media_type=_media_type(response),
                              capture=capture)
            return
        try:
            observation = self.marketplace.observe(page)
        except Exception as exc:  # a page object bug is an error finding, never a delisting
            self.logger.exception("page object %s failed on %s", self.marketplace.name, response.url)
            observation = Observation(Outcome.ERROR, reasons=(f"extraction failed: {type(exc).__name__}: {exc}",))
        if not browser:
            escalated = escalation_reason(observation, page, confirmed=target.state)
            if escalated:
                # only one observation per check is stored: the browser's replaces this one
                retry = self.browser_request_for(target, escalated=escalated)
                if retry is not None:
                    self.crawler.stats.inc_value("vigie/browser/escalated")
                    yield retry
                    return
                if self.browser_unavailable:
                    self.note_no_browser()
                    observation = _with_reason(observation, f"not confirmed in a browser: {self.browser_unavailable}")
        elif response.meta.get("vigie_escalated"):
            observation = _with_reason(observation, f"browser re-fetch: {response.meta['vigie_escalated']}")
        yield CheckResult(
            target=target,
            observation=observation,
            fetched_at=datetime.now(UTC),
            final_url=response.url,
            http_status=response.status,
            fetch_method=response.meta.get("vigie_fetch_method", "http"),
            elapsed_ms=_elapsed(response.meta),
            headers=page.headers,
            body=response.body,
            media_type=_media_type(response),
            screenshot=screenshot_of(response.meta) if browser else None,
            capture=capture,
        )

    def refused_body(self, response: Response) -> str | None:
        """Why this answer is not read at all: no web page (a PDF, an image), or a browser page over the
        download size limit (Scrapy enforces it for static fetches, crawler.browser_size for the browser)."""
        if response.meta.get(TOO_BIG_META):
            return response.meta[TOO_BIG_META]
        if response.meta.get("vigie_fetch_method") == "browser" and response.headers.get(REFUSED_HEADER):
            # the egress proxy refused a redirect or a rebound name (it strips the header from real answers)
            return response.headers.get(REFUSED_HEADER).decode("latin-1")
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        if limit and len(response.body) > limit:
            return f"size limit exceeded: {len(response.body)} bytes, over the {limit}-byte download limit"
        media_type = _media_type(response)
        if media_type.startswith(PAGE_MEDIA_TYPES) or media_type.endswith(("+xml", "+json")):
            return None
        if media_type == "application/octet-stream" and response.body.lstrip()[:1] == b"<":
            return None  # a misconfigured server sending a page as bytes
        return f"not a web page: the URL serves {media_type} ({len(response.body)} bytes)"

    def failed(self, failure: Failure):
        request = failure.request  # type: ignore[attr-defined]
        target: CheckTarget = request.meta["target"]
        reason = failure_reason(failure, request.meta, maxsize=self.settings.getint("DOWNLOAD_MAXSIZE"),
                                timeout=self.settings.getfloat("DOWNLOAD_TIMEOUT"),
                                refusal=lambda: connect_refusal(urlsplit(request.url).hostname or ""))
        yield CheckResult(
            target=target,
            observation=Observation(Outcome.ERROR, reasons=(reason,)),
            fetched_at=datetime.now(UTC),
            final_url=None,
            fetch_method=request.meta.get("vigie_fetch_method", "http"),
            elapsed_ms=_elapsed(request.meta),
        )


def _with_reason(observation: Observation, reason: str) -> Observation:
    return replace(observation, reasons=(*observation.reasons, reason))


def _headers(response: Response) -> dict[str, str]:
    kept = {}
    for name in EVIDENCE_HEADERS:
        value = response.headers.get(name)
        if value is not None:
            kept[name] = value.decode("latin-1")
    return kept


def _media_type(response: Response) -> str:
    raw = response.headers.get("content-type", b"text/html").decode("latin-1")
    return raw.split(";")[0].strip() or "text/html"


def _elapsed(meta: dict) -> int | None:
    started = meta.get("vigie_started")
    return None if started is None else int((time.monotonic() - started) * 1000)
