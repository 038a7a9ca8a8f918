"""The nodes of a cluster, as `vigie status` lists them: each node writes its line into Redis."""
from __future__ import annotations

import json
import time
from typing import Any

BOARD = "vigie:nodes"
COLD_START = "vigie:cold-start"
FOLD_AFTER = 3_600.0  # `vigie status` lists a dead node for an hour, then only counts it
FORGET_AFTER = 86_400.0  # a node silent for a day leaves the board


def beat(client, node: str, info: dict[str, Any]) -> None:
    client.hset(BOARD, node, json.dumps({**info, "heartbeat": time.time()}))


def leave(client, node: str) -> None:
    client.hdel(BOARD, node)


def read(client) -> list[dict[str, Any]]:
    now = time.time()
    nodes = []
    for node, raw in (client.hgetall(BOARD) or {}).items():
        info = json.loads(raw)
        if now - info.get("heartbeat", 0) > FORGET_AFTER:
            client.hdel(BOARD, node)
            continue
        nodes.append({"node": node.decode() if isinstance(node, bytes) else node, **info,
                      "silent_s": round(now - info.get("heartbeat", now), 1)})
    return sorted(nodes, key=lambda n: n["node"])


def first_of_a_cold_cluster(client, node: str, *, timeout: float) -> bool:
    """True for the one node starting while no other is alive: only it spreads the overdue listings over
    its catch-up window. Two starting together race for a key lasting one node timeout."""
    if any(n["silent_s"] < n.get("node_timeout", timeout) for n in read(client)):
        return False
    return bool(client.set(COLD_START, node, nx=True, px=int(timeout * 1000)))
