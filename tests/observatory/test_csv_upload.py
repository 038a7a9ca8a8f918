"""Issue 23, point 4: a CSV upload resolves each host once, checks every row before it writes, and writes in short
batches, so another seller registering a listing meanwhile is not kept waiting (SQLite has one writer)."""
from __future__ import annotations

import socket
import threading
import time

import httpx
from sqlalchemy import func, select

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from observatory.server import RunningObservatory
from store.db import session_scope
from store.models import Listing
from tests.observatory.conftest import NOW, PASSWORD, csrf_of, world  # noqa: F401 (fixtures)

ROWS = 300


class SlowResolver:
    """Public addresses for every host; the first look-up of b.example waits until the test says so."""

    def __init__(self):
        self.calls: list[str] = []
        self.resolving_b, self.go_on = threading.Event(), threading.Event()

    def __call__(self, host, port, *_args):
        self.calls.append(host)
        if host == "b.example" and not self.resolving_b.is_set():
            self.resolving_b.set()
            self.go_on.wait(timeout=10)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 80))]


def _upload(base: str, content: str, answers: list) -> None:
    with httpx.Client(base_url=base, timeout=60) as web:
        page = web.get("/login")
        web.post("/login", data={"email": "alice@example.org", "password": PASSWORD, "csrf": csrf_of(page.text),
                                 "next_url": "/"})
        csrf = csrf_of(web.get("/register").text)
        answers.append(web.post("/register/csv", data={"csrf": csrf},
                                files={"file": ("l.csv", content.encode(), "text/csv")}))


def test_an_upload_resolves_each_host_once_and_lets_other_writers_in(sessions, world):
    resolver = SlowResolver()
    app = create_app(ObservatoryConfig(clock=lambda: NOW, resolve=resolver), sessions)
    content = "url\n" + "".join(f"http://{'a' if i < ROWS // 2 else 'b'}.example/p/{i}\n" for i in range(ROWS))
    answers: list = []
    with RunningObservatory(app) as server:
        upload = threading.Thread(target=_upload, args=(server.url, content, answers))
        upload.start()
        assert resolver.resolving_b.wait(timeout=30), "the upload never looked up b.example"
        started = time.monotonic()
        other = httpx.post(f"{server.url}/api/listings", json={"url": "http://93.184.216.34/p/bob"}, timeout=60,
                           headers={"Authorization": f"Bearer {world.tokens['bob@example.org']}"})
        waited = time.monotonic() - started
        resolver.go_on.set()
        upload.join(timeout=60)
    assert other.status_code == 201, other.text
    assert waited < 2, f"another seller's registration waited {waited:.1f} s for the upload"
    assert answers and answers[0].status_code == 200 and f"{ROWS} added, 0 refused" in answers[0].text
    assert sorted(resolver.calls) == ["a.example", "b.example"]
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Listing)) == 2 + ROWS + 1
