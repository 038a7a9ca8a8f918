"""Politeness of the long-running service: back off when a marketplace pushes back, recover after.

The per-marketplace concurrency and delay come from each `Marketplace` (ListingSpider.update_settings);
AutoThrottle adapts the delay to the site's latency. The Backoff extension adds what AutoThrottle does not:
a marketplace that answers 429, 503 or a bot wall gets its download slot paused, for at least its
Retry-After (5 s without one, doubled on each push-back that follows, up to a ceiling), then resumes at
twice its former pace, which each ordinary answer halves back towards the base delay.

The pause is held on the slot itself, not left to its delay: Scrapy draws each wait at random between
half and one and a half times the delay, which alone would send the next request before the
Retry-After had passed. And it is set when the answer is downloaded (as AutoThrottle does), before Scrapy
sends the slot's next request, which a downloader middleware would only see after.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from spiders.walls import detect_wall

PUSH_BACK_STATUSES = frozenset({429, 503})
# Scrapy signal sent on each push-back (marketplace=name, delay=seconds): cluster nodes share the pause
pushed_back_signal = object()
FIRST_BACKOFF = 5.0  # seconds, when the site gives no Retry-After
# at least this many seconds between requests when a pause ends (and above 0: Scrapy only holds a slot with a delay)
RESUME_PACE = 0.5


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
        "EXTENSIONS": {"crawler.politeness.Backoff": 500},
    }


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


class Backoff:
    """Scrapy extension: pauses a download slot on push-back, speeds it up again after."""

    def __init__(self, crawler, *, base_delay: float, max_backoff: float):
        self.crawler = crawler
        self.base_delay = base_delay
        self.max_backoff = max_backoff
        self.pauses: dict[str, float] = {}  # slot key -> length of its last push-back pause, while recovering
        self.held_until: dict[str, float] = {}  # slot key -> time.monotonic() at which that pause ends

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("VIGIE_BACKOFF_ENABLED"):
            raise NotConfigured("back-off is for the long-running service")
        backoff = cls(crawler, base_delay=settings.getfloat("DOWNLOAD_DELAY"),
                      max_backoff=settings.getfloat("VIGIE_BACKOFF_MAX", 600.0))
        crawler.signals.connect(backoff.response_downloaded, signal=signals.response_downloaded)
        return backoff

    def response_downloaded(self, response: Response, request, **_) -> None:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        if pushed_back(response):
            raw = response.headers.get("Retry-After")
            wait = retry_after_seconds(raw.decode("latin-1") if raw else None, now=datetime.now(UTC))
            # answers to requests sent before a pause began, arriving during it, belong to the same push-back
            held = self._held(key)
            doubled = 0.0 if held else 2 * self.pauses.get(key, 0.0)
            pause = min(self.max_backoff, max(wait or 0.0, doubled, FIRST_BACKOFF))
            if not held:
                slot.delay = min(self.max_backoff, max(slot.delay * 2, self.base_delay, RESUME_PACE))
            self.pauses[key] = max(pause, self.pauses.get(key, 0.0))  # a pause of the same push-back: the longer
            self.held_until[key] = max(self.held_until.get(key, 0.0), time.monotonic() + pause)
            hold_slot(slot, pause)
            self.crawler.stats.inc_value("vigie/backoff/pushed_back")
            self.crawler.stats.max_value("vigie/backoff/max_pause", pause)
            marketplace = getattr(getattr(self.crawler.spider, "marketplace", None), "name", None)
            self.crawler.signals.send_catch_log(signal=pushed_back_signal, marketplace=marketplace, delay=pause)
        elif response.status < 500 and not self._held(key):
            if slot.delay > self.base_delay:
                slot.delay = max(self.base_delay, slot.delay / 2)
            if key in self.pauses and (shorter := self.pauses[key] / 2) >= FIRST_BACKOFF:
                self.pauses[key] = shorter
            else:
                self.pauses.pop(key, None)

    def _held(self, key: str) -> bool:
        until = self.held_until.get(key)
        if until is None:
            return False
        if until > time.monotonic():
            return True
        del self.held_until[key]
        return False


def hold_slot(slot, seconds: float) -> None:
    """Sends nothing more from a Scrapy download slot for at least `seconds`, whatever its delay's jitter.

    Scrapy waits `delay × jitter − (now − lastseen)` before a slot's next request: a lastseen `seconds`
    ahead makes that at least `seconds`, for the requests already queued in the slot and those to come.
    Scrapy ≥ 2.19 stamps slots with time.monotonic(), earlier versions with time.time(): the clock is the
    one the slot's last stamp is close to (the slot just sent the request that was pushed back)."""
    monotonic, wall = time.monotonic(), time.time()
    now = monotonic if abs(slot.lastseen - monotonic) < abs(slot.lastseen - wall) else wall
    slot.lastseen = max(slot.lastseen, now + seconds)
