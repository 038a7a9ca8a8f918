"""Search pages' limits shared by every node (issue 27): a daily budget per marketplace counted in Redis, and
the search pace as turns of its own (cluster.politeness.SharedPoliteness in the "vigie:search" namespace, so
a search page never takes a listing check's turn, and a push-back on search pauses searches only).

The budget is one counter per marketplace and UTC day, which expires two days later; taking a walk's pages is
one atomic script (check and add), so nodes racing for the last pages never overrun it. A walk refused adds its
marketplace to the day's "spent" set: the dispatcher claims no more of its searches that day, and the first
node to add it says so in the log, once for the whole cluster.
"""
from __future__ import annotations

import logging
from datetime import date

from cluster.politeness import SharedPoliteness
from crawler.search_limits import spent_line

log = logging.getLogger("vigie.cluster")

SEARCH_NAMESPACE = "vigie:search"
KEEP_S = 2 * 86_400  # a day's counters outlive it by a day: a clock a little off never resets one early

# KEYS: the day's pages used on the marketplace, the day's spent set. ARGV: pages, limit, seconds kept, marketplace.
# Returns {1, 0} (taken) or {0, 1 when this refusal is the day's first for the marketplace}.
TAKE_PAGES = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then
  local first = redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return {0, first}
end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, 0}
"""
GIVE_BACK = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('SET', KEYS[1], math.max(0, used - tonumber(ARGV[1])), 'KEEPTTL') end
return 0
"""


class SharedSearchBudget:
    def __init__(self, client, pages_a_day: int, *, namespace: str = SEARCH_NAMESPACE):
        self.client = client
        self.limit = pages_a_day
        self.namespace = namespace
        self._take = client.register_script(TAKE_PAGES)
        self._give_back = client.register_script(GIVE_BACK)

    def _used_key(self, marketplace: str, day: date) -> str:
        return f"{self.namespace}:budget:{day.isoformat()}:{marketplace}"

    def _spent_key(self, day: date) -> str:
        return f"{self.namespace}:spent:{day.isoformat()}"

    def take(self, marketplace: str, pages: int, *, day: date) -> bool:
        if self.limit <= 0:
            return True
        taken, first = self._take(keys=[self._used_key(marketplace, day), self._spent_key(day)],
                                  args=[pages, self.limit, KEEP_S, marketplace])
        if first:
            log.warning(spent_line(marketplace, self.limit, day))
        return bool(taken)

    def give_back(self, marketplace: str, pages: int, *, day: date) -> None:
        if self.limit > 0 and pages > 0:
            self._give_back(keys=[self._used_key(marketplace, day)], args=[pages])

    def used(self, marketplace: str, *, day: date) -> int:
        return int(self.client.get(self._used_key(marketplace, day)) or 0)

    def spent(self, *, day: date) -> set[str]:
        if self.limit <= 0:
            return set()
        return {m.decode() if isinstance(m, bytes) else m for m in self.client.smembers(self._spent_key(day))}


def search_turns(client, rate: float) -> SharedPoliteness:
    """Turns of search pages: `rate` pages per second per marketplace for the whole cluster, whatever the
    marketplace, in a namespace apart from the listing checks' (their turns and pauses never mix)."""
    return SharedPoliteness(client, {}, namespace=SEARCH_NAMESPACE, default_rate=rate)
