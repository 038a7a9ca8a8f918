"""Politeness of the long-running service: back off when a marketplace pushes back, recover after.

The per-marketplace concurrency and delay come from each `Marketplace` (ListingSpider.update_settings);
AutoThrottle adapts the delay to the site's latency. This middleware adds what AutoThrottle does not:
a marketplace that answers 429, 503 or a bot wall gets a longer delay on its download slot (at least
its Retry-After), doubled on each push-back up to a ceiling, and halved back towards its base delay
on each ordinary answer.
"""
from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from spiders.walls import detect_wall

PUSH_BACK_STATUSES = frozenset({429, 503})
# Scrapy signal sent on each push-back (marketplace=name, delay=seconds): cluster nodes share the pause
pushed_back_signal = object()
FIRST_BACKOFF = 5.0  # seconds, when the site gives no Retry-After


def politeness_settings(*, obey_robots: bool, max_backoff: float = 600.0) -> dict[str, Any]:
    """Scrapy settings the service adds to the one-shot crawl's."""
    return {
        "ROBOTSTXT_OBEY": obey_robots,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.5,
        "AUTOTHROTTLE_MAX_DELAY": max_backoff,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 4.0,
        "VIGIE_BACKOFF_ENABLED": True,
        "VIGIE_BACKOFF_MAX": max_backoff,
    }


# merged into DOWNLOADER_MIDDLEWARES: after the retry/redirect decisions, before the spider sees the answer
BACKOFF_MIDDLEWARE = {"crawler.politeness.BackoffMiddleware": 590}


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def pushed_back(response: Response) -> bool:
    if response.status in PUSH_BACK_STATUSES:
        return True
    if isinstance(response, TextResponse) and len(response.body) <= 200_000:
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return detect_wall(response.text, headers) is not None
    return False


class BackoffMiddleware:
    """Downloader middleware: slows a download slot down on push-back, speeds it up again after."""

    def __init__(self, crawler, *, base_delay: float, max_backoff: float):
        self.crawler = crawler
        self.base_delay = base_delay
        self.max_backoff = max_backoff

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("VIGIE_BACKOFF_ENABLED"):
            raise NotConfigured("back-off is for the long-running service")
        return cls(crawler, base_delay=settings.getfloat("DOWNLOAD_DELAY"),
                   max_backoff=settings.getfloat("VIGIE_BACKOFF_MAX", 600.0))

    def process_response(self, request, response: Response):
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return response
        if pushed_back(response):
            raw = response.headers.get("Retry-After")
            wait = retry_after_seconds(raw.decode("latin-1") if raw else None, now=datetime.now(UTC))
            slot.delay = min(self.max_backoff, max(wait or 0.0, slot.delay * 2, FIRST_BACKOFF))
            self.crawler.stats.inc_value("vigie/backoff/pushed_back")
            self.crawler.stats.max_value("vigie/backoff/max_delay", slot.delay)
            marketplace = getattr(getattr(self.crawler.spider, "marketplace", None), "name", None)
            self.crawler.signals.send_catch_log(signal=pushed_back_signal, marketplace=marketplace, delay=slot.delay)
        elif slot.delay > self.base_delay and response.status < 500:
            slot.delay = max(self.base_delay, slot.delay / 2)
        return response
