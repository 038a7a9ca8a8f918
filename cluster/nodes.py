"""The nodes of a cluster, as `vigie status` lists them: each node writes its line into Redis."""
from __future__ import annotations

import json
import time
from typing import Any

BOARD = "vigie:nodes"
FORGET_AFTER = 86_400.0  # a node silent for a day leaves the list


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
