"""A cluster on this machine: PostgreSQL, Redis, `vigie run` nodes as child processes, and a shop that
counts every request it serves (when, which page) so tests see what the nodes really fetched."""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from sandbox.catalog import Catalog
from sandbox.render import Renderer
from tests.cli.runner import Vigie
from tests.service.live import environment, start_service



def _worker_redis_url(url: str) -> str:
    """Each pytest-xdist worker (gw0, gw1...) on a Redis database of its own (14, 15...), as each has its own
    PostgreSQL database: nodes of two tests never share a queue, a node board or a limiter."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{database % 16}"))


REDIS_URL = _worker_redis_url(os.environ.get("VIGIE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14"))


class Shop:
    """Serves `count` schema.org product pages at /p/<id>; `gone` ids answer 404."""

    def __init__(self, count: int):
        renderer = Renderer()
        self.pages = {f"/p/{product.id}": renderer.product_page(product)
                      for product in Catalog().bulk(count, prefix="c")}
        self.gone: set[str] = set()
        self.push_back_next = 0  # seconds: the next product request answers 429 with this Retry-After
        self.pushed_back_at: float | None = None
        self.hits: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with shop._lock:
                    shop.hits.append((time.time(), self.path))
                    retry_after, shop.push_back_next = shop.push_back_next, 0
                    if retry_after and self.path.startswith("/p/"):
                        shop.pushed_back_at = time.time()
                if retry_after:
                    body = b"<html><body><h1>Trop de requetes</h1></body></html>"
                    self.send_response(429)
                    self.send_header("Retry-After", str(retry_after))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                body = shop.pages.get(self.path)
                status = 404 if body is None or self.path in shop.gone else 200
                body = body if status == 200 else b"<html><body><h1>Page introuvable</h1></body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def product_hits(self) -> Counter[str]:
        with self._lock:
            return Counter(path for _, path in self.hits if path.startswith("/p/"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if os.environ.get("VIGIE_TEST_REDIS_URL"):
            raise  # CI names its Redis: unreachable is a failure, not a skip
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return client


def register(vigie: Vigie, shop: Shop, tmp: Path, *, every: str = "1d") -> None:
    rows = "\n".join(f"{shop.url}{path},vendeur@example.org,{every}" for path in shop.pages)
    csv = tmp / "listings.csv"
    csv.write_text("url,email,every\n" + rows + "\n")
    vigie.ok("import", str(csv))


def start_node(vigie: Vigie, log: Path, **extra: str):
    return start_service(environment(vigie.env, VIGIE_QUEUE_URL=REDIS_URL, VIGIE_OBEY_ROBOTS="0", **extra), log)
