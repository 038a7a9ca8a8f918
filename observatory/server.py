"""Serving an observatory app from a background thread (browser tests, the screenshot script)."""
from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

START_TIMEOUT = 10.0


class RunningObservatory:
    """`.url` is the base URL without a trailing slash; `stop()` (or leaving the `with`) shuts it down."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0):
        self._socket = socket.create_server((host, port))
        self.url = "http://{}:{}".format(*self._socket.getsockname()[:2])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none",
                                                         access_log=False, timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="observatory", daemon=True)

    def __enter__(self) -> RunningObservatory:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the observatory did not start on {self.url}")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()
