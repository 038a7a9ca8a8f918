"""Serving the sandbox with uvicorn: blocking (`serve`, for `vigie sandbox`) or in a background
thread (`run_in_thread`, for tests and the demo)."""
from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from sandbox.app import SandboxApp
from sandbox.catalog import Catalog
from sandbox.examples import example_products

START_TIMEOUT = 10.0


def _config(app: SandboxApp, log_level: str, host: str = "127.0.0.1", port: int = 0) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # logging each of thousands of benchmark requests costs more than serving them
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
    )


class RunningSandbox:
    """A sandbox served from a daemon thread. `.url` is the base URL, without a trailing slash."""

    def __init__(self, catalog: Catalog, host: str, port: int):
        self.catalog = catalog
        self.app = SandboxApp(catalog)
        self._socket = socket.create_server((host, port), family=_family(host), backlog=2048)
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.host, self.port = bound_host, bound_port
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = f"http://{shown}:{bound_port}"
        self._server = uvicorn.Server(_config(self.app, "warning"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=f"sandbox:{bound_port}", daemon=True
        )

    def start(self) -> RunningSandbox:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def run_in_thread(catalog: Catalog | None = None, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Start the sandbox in a background thread and return once it accepts connections.
    `catalog` None means an empty one; port 0 picks a free port (see `.url`)."""
    return RunningSandbox(catalog if catalog is not None else Catalog(), host, port).start()


def serve(host: str = "127.0.0.1", port: int = 8000, catalog: Catalog | None = None,
          log_level: str = "info") -> None:
    """Serve until interrupted (Ctrl-C). `catalog` None means the example products, one per state."""
    app = SandboxApp(catalog if catalog is not None else Catalog(example_products()))
    uvicorn.Server(_config(app, log_level, host, port)).run()
