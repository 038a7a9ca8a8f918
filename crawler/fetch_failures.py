"""Why a fetch failed, in one line a seller or an operator can read.

Scrapy and Playwright say it well most of the time; a few failures come with no message at all:
a body sent without Content-Length and cut at DOWNLOAD_MAXSIZE is a bare `DownloadCancelledError`,
a browser fetch stopped by the download timeout a bare `TimeoutError`. Those get their story told
from what the request itself knows (bytes received, the limit, the timeout).
"""
from __future__ import annotations

from typing import Any, Callable

from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, IgnoreRequest
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.browser_size import TOO_BIG_META

RECEIVED_META = "vigie_bytes_received"  # counted from Scrapy's bytes_received signal (ListingSpider)
MAX_REASON = 500


def count_received(meta: dict[str, Any], data: bytes) -> None:
    meta[RECEIVED_META] = meta.get(RECEIVED_META, 0) + len(data)


def failure_reason(failure: Failure, meta: dict[str, Any], *, maxsize: int, timeout: float,
                   refusal: Callable[[], str | None] = lambda: None) -> str:
    """`refusal`: the netguard's reason when the resolver refused the address at connect time."""
    name = failure.type.__name__ if failure.type is not None else "Error"
    message = _first_line(failure.getErrorMessage())
    if failure.check(DNSLookupError, CannotResolveHostError):
        message = refusal() or message
    if meta.get(TOO_BIG_META):  # the browser page was stopped at the size limit (crawler.browser_size)
        return _cut(f"{name}: {meta[TOO_BIG_META]}")
    if failure.check(DownloadCancelledError):
        limit = meta.get("download_maxsize", maxsize)
        received = meta.get(RECEIVED_META, 0)
        if not message and limit and received > limit:
            message = (f"size limit exceeded: received {received} bytes without a Content-Length, "
                       f"over the {limit}-byte download limit")
        elif "max size" in message:
            message = f"size limit exceeded: {message}"
        elif not message:
            message = f"download cancelled after {received} bytes"
    if failure.check(IgnoreRequest):
        if "DOWNLOAD_MAXSIZE" in message:  # HttpCompressionMiddleware: a body that decompresses past the limit
            message = f"size limit exceeded: {message}"
        elif "max redirections" in message:
            message = f"too many redirects: {message}"
    if not message and "timeout" in name.lower():
        message = f"no complete answer within the {meta.get('download_timeout', timeout):g} s download timeout"
    return _cut(f"{name}: {message or 'no detail given'}")


def _first_line(text: str) -> str:
    """Playwright appends a multi-line call log; a reason is one line."""
    return " ".join((text or "").strip().split("\n", 1)[0].split())


def _cut(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON - 1] + "…"
