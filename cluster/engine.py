"""The Dramatiq broker of a cluster, built from VIGIE_QUEUE_URL."""
from __future__ import annotations

from typing import Any, Callable

QUEUE = "vigie-checks"
NAMESPACE = "vigie"
ACTOR = "vigie_check"
# out of a million broker commands: how many also return a dead node's checks to the queue. Dramatiq's
# default (1,000) leaves them waiting minutes on a quiet cluster; this one does within seconds.
MAINTENANCE_CHANCE = 50_000


def make_broker(url: str, *, node_timeout: float, check_timeout: float):
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import AgeLimit, Retries, ShutdownNotifications, TimeLimit

    middleware = [AgeLimit(), TimeLimit(time_limit=int(check_timeout * 1000) + 30_000), ShutdownNotifications(),
                  Retries(max_retries=3, min_backoff=5_000, max_backoff=60_000)]
    return RedisBroker(url=url, namespace=NAMESPACE, middleware=middleware, maintenance_chance=MAINTENANCE_CHANCE,
                       heartbeat_timeout=int(node_timeout * 1000))


def declare_check(broker, fn: Callable[..., Any]):
    """The one actor of a cluster: check(listing_id, claim, due_at)."""
    from dramatiq import Actor

    return Actor(fn, broker=broker, actor_name=ACTOR, queue_name=QUEUE, priority=0, options={})


def leased_by(broker, broker_id: str) -> int:
    """Checks a node holds (taken, not yet acknowledged), read from the engine's own bookkeeping."""
    client = broker.client
    return sum(client.scard(f"{NAMESPACE}:__acks__.{broker_id}.{queue}") for queue in (QUEUE, f"{QUEUE}.DQ"))


def queued(broker) -> int:
    return int(broker.client.llen(f"{NAMESPACE}:{QUEUE}") or 0)
