"""Global politeness: a marketplace's pace and its push-back pauses, shared by every node through Redis.

Each node's Scrapy slot keeps its own delay and back-off (crawler.politeness); on top, every check
takes a turn of its marketplace before it is fetched, and a push-back (429, 503, a wall) seen by any
node pauses that marketplace for all of them.

Turns are handed out 1/rate apart on Redis's clock (a "next free turn" per marketplace, moved by one
atomic script: the GCRA without a burst), so any window of one second, wherever it starts, holds at
most `rate` turns (⌈rate⌉ for a fractional rate) — Dramatiq's window limiters count calendar seconds,
and two of them back to back let twice the rate through. A turn is reserved ahead, at most `within`
seconds, and the worker sleeps until it: no polling, and the rate is reached with a handful of waiters.
"""
from __future__ import annotations

import math
from typing import Mapping

from spiders.marketplace import Marketplace

# KEYS: next free turn (µs, Redis clock), pause. Sets `now` and `turn`: the earliest turn the pause and the
# turns already handed out leave.
NEXT_TURN = """
local clock = redis.call('TIME')
local now = clock[1] * 1000000 + clock[2]
local turn = now
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then turn = now + paused * 1000 end
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_free > turn then turn = next_free end
"""

# ARGV: µs between turns, how far ahead a turn may be reserved.
# Returns {1, µs until the reserved turn} or {0, µs until a turn could be had} (nothing reserved).
TAKE_TURN = NEXT_TURN + """
if turn - now > tonumber(ARGV[2]) then return {0, turn - now} end
local interval = tonumber(ARGV[1])
if interval > 0 then
  local ttl_ms = math.ceil((turn - now + interval) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%d', turn + interval), 'PX', ttl_ms)
end
return {1, turn - now}
"""


# Returns µs until a turn could be had now (nothing reserved).
PEEK_TURN = NEXT_TURN + """
return turn - now
"""


def default_rates(marketplaces: Mapping[str, Marketplace]) -> dict[str, float]:
    """Requests per second for the whole cluster: what one process allows itself (one per `delay`)."""
    return {name: 1.0 / m.delay for name, m in marketplaces.items() if m.delay > 0}


def interval_us(rate: float) -> int:
    """Microseconds between two turns of a marketplace allowing `rate` requests per second (rounded up)."""
    return math.ceil(1_000_000 / rate)


class SharedPoliteness:
    def __init__(self, client, rates: Mapping[str, float], *, namespace: str = "vigie", default_rate: float = 0.0):
        """`default_rate`: the pace of a marketplace missing from `rates` (0: none). Search pages take their
        turns in a namespace of their own (crawler.search_limits), so they never use a listing check's."""
        self.client = client
        self.namespace = namespace
        self.intervals = {name: interval_us(rate) for name, rate in rates.items()}
        self.default_interval = interval_us(default_rate) if default_rate > 0 else 0
        self._take = client.register_script(TAKE_TURN)
        self._peek = client.register_script(PEEK_TURN)

    def _pause_key(self, marketplace: str) -> str:
        return f"{self.namespace}:pause:{marketplace}"

    def take_turn(self, marketplace: str, *, within: float) -> tuple[bool, float]:
        """(True, seconds until the turn reserved for this request) when one comes within `within` seconds;
        else (False, seconds until one could be had), nothing reserved. A pause counts as waiting."""
        reserved, wait_us = self._take(keys=[f"{self.namespace}:turn:{marketplace}", self._pause_key(marketplace)],
                                       args=[self.intervals.get(marketplace, self.default_interval),
                                                 int(within * 1_000_000)])
        return bool(reserved), wait_us / 1_000_000

    def ahead(self, marketplace: str) -> float:
        """Seconds until a turn could be had (a pause counts), reserving nothing: whether to start now."""
        return self._peek(keys=[f"{self.namespace}:turn:{marketplace}", self._pause_key(marketplace)]) / 1_000_000

    def paused(self, marketplace: str) -> float:
        """Seconds the marketplace stays paused (0 when it is not)."""
        return max(0, self.client.pttl(self._pause_key(marketplace)) or 0) / 1000

    def pushed_back(self, marketplace: str | None, delay: float) -> None:
        """Pauses the marketplace for every node (keeps a longer pause already set)."""
        if not marketplace or delay <= 0:
            return
        key = self._pause_key(marketplace)
        if (self.client.pttl(key) or 0) < delay * 1000:
            self.client.set(key, "1", px=int(delay * 1000))
