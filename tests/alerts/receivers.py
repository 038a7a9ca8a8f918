"""Real receivers on loopback for the channel tests: a webhook endpoint that verifies Standard Webhooks
signatures (with the `standardwebhooks` library, as a receiver would), and a plain JSON endpoint for
Apprise's json://. Both can be taken down and brought back on the same port, or told to hang."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    verified: bool | None = None

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """`secret`: verify webhook signatures with it (a request that fails verification gets a 401)."""

    secret: str | None = None
    status: int = 200
    hang: float = 0.0  # seconds to wait before answering
    on_request: Callable[[Received], None] | None = None
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # the sender went away mid-body (killed): like any HTTP server, nothing was received
                    self.close_connection = True
                    return
                item = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                if receiver.secret is not None:
                    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

                    try:
                        Webhook(receiver.secret).verify(item.body, item.headers)
                        item.verified = True
                    except WebhookVerificationError:
                        item.verified = False
                receiver.received.append(item)
                if receiver.on_request is not None:
                    receiver.on_request(item)
                if receiver.hang:
                    time.sleep(receiver.hang)
                status = 401 if item.verified is False else receiver.status
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def ids(self) -> list[str]:
        return [item.headers.get("webhook-id", "") for item in self.received]
