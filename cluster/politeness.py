"""Global politeness: a marketplace's pace and its push-back pauses, shared by every node through Redis.

Each node's Scrapy slot keeps its own delay and back-off (crawler.politeness); on top, every check
takes a turn from the marketplace's Dramatiq window rate limiter before it is fetched, and a
push-back (429, 503, a wall) seen by any node pauses that marketplace for all of them.
"""
from __future__ import annotations

import math
from typing import Mapping

from spiders.marketplace import Marketplace


def default_rates(marketplaces: Mapping[str, Marketplace]) -> dict[str, float]:
    """Requests per second for the whole cluster: what one process allows itself (one per `delay`)."""
    return {name: 1.0 / m.delay for name, m in marketplaces.items() if m.delay > 0}


def window_for(rate: float) -> tuple[int, int]:
    """(limit, window seconds) of a window limiter allowing at most `rate` requests per second."""
    window = max(1, math.ceil(1.0 / rate))
    return max(1, math.floor(rate * window)), window


class SharedPoliteness:
    def __init__(self, client, rates: Mapping[str, float], *, namespace: str = "vigie"):
        from dramatiq.rate_limits import WindowRateLimiter
        from dramatiq.rate_limits.backends import RedisBackend

        backend = RedisBackend(client=client)
        self.client = client
        self.namespace = namespace
        self.limiters = {}
        for name, rate in rates.items():
            limit, window = window_for(rate)
            self.limiters[name] = WindowRateLimiter(backend, f"{namespace}:rate:{name}", limit=limit, window=window)

    def _pause_key(self, marketplace: str) -> str:
        return f"{self.namespace}:pause:{marketplace}"

    def wait_for(self, marketplace: str) -> float:
        """0 when a request may go now (its turn is taken); else seconds to wait before asking again."""
        paused_ms = self.client.pttl(self._pause_key(marketplace))
        if paused_ms and paused_ms > 0:
            return paused_ms / 1000
        limiter = self.limiters.get(marketplace)
        if limiter is None:
            return 0.0
        with limiter.acquire(raise_on_failure=False) as acquired:
            return 0.0 if acquired else 0.05

    def pushed_back(self, marketplace: str | None, delay: float) -> None:
        """Pauses the marketplace for every node (keeps a longer pause already set)."""
        if not marketplace or delay <= 0:
            return
        key = self._pause_key(marketplace)
        if (self.client.pttl(key) or 0) < delay * 1000:
            self.client.set(key, "1", px=int(delay * 1000))
