"""Issue 23, points 1–3: what any request may carry is bounded before a route parses it or asks who is calling —
a body past its size (413), a NUL byte in a query or form value, a query value past limits.QUERY_CHARS (422 on
the API, 400 on the pages) — so neither memory, PostgreSQL (NUL) nor SQLite (LIKE pattern too complex) gives way."""
from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from observatory.server import RunningObservatory
from tests.observatory.conftest import app, client, csrf_of, log_in, world  # noqa: F401 (fixtures)
from vigie import limits

API_QUERIES = ("/api/listings?{}", "/api/export/listings.csv?{}", "/api/export/listings.json?{}")
PAGE_QUERIES = ("/listings?{}",)
LISTING_PARAMS = ("q", "marketplace", "state", "account")


def _bearer(world):
    return {"Authorization": f"Bearer {world.tokens['ivy@example.org']}"}


def _one_line_refusal(response, status: int, *words: str) -> None:
    assert response.status_code == status, (response.request.url, response.status_code, response.text[:300])
    text = response.json()["detail"] if status == 422 else response.text
    assert "\n" not in text.strip() and len(text) < 300, text
    for word in words:
        assert word in text, text


def test_a_nul_byte_in_any_query_value_is_refused_on_every_route(client, world):
    for param in LISTING_PARAMS:
        for path in API_QUERIES:
            _one_line_refusal(client.get(path.format(f"{param}=a%00b"), headers=_bearer(world)), 422, param, "NUL")
    for path in ("/api/events?kind=%00", "/api/export/events.csv?kind=%00", "/api/export/events.json?kind=%00"):
        _one_line_refusal(client.get(path, headers=_bearer(world)), 422, "kind", "NUL")
    log_in(client, "ivy@example.org")
    for param in LISTING_PARAMS:
        _one_line_refusal(client.get(f"/listings?{param}=%00"), 400, param, "NUL")
    _one_line_refusal(client.get("/events?kind=%00"), 400, "kind", "NUL")


def test_a_nul_byte_in_a_form_value_is_refused(client, world):
    page = client.get("/login")
    answer = client.post("/login", data={"email": "a\x00b@example.org", "password": "x" * 12,
                                         "csrf": csrf_of(page.text), "next_url": "/"}, follow_redirects=False)
    _one_line_refusal(answer, 400, "email", "NUL")


def test_query_values_past_their_bound_are_refused_not_a_database_error(client, world):
    long = "x" * 49_999  # SQLite: "LIKE or GLOB pattern too complex" past 50,000 bytes
    for path in (*API_QUERIES, "/api/events?{}"):
        param = "kind" if "events" in path else "q"
        _one_line_refusal(client.get(path.format(f"{param}={long}"), headers=_bearer(world)), 422,
                          param, f"at most {limits.QUERY_CHARS}")
    at_bound = client.get("/api/listings", params={"q": "x" * limits.QUERY_CHARS}, headers=_bearer(world))
    assert at_bound.status_code == 200 and at_bound.json() == []
    log_in(client, "ivy@example.org")
    _one_line_refusal(client.get(f"/listings?q={long}"), 400, "q", f"at most {limits.QUERY_CHARS}")
    _one_line_refusal(client.get(f"/events?kind={long}"), 400, "kind")


def test_a_declared_body_past_the_limit_is_refused_unread(client, world):
    answer = client.post("/api/listings", content=b"{}", headers={"Content-Length": "300000000"})
    assert answer.status_code == 413 and "at most" in answer.json()["detail"]


def _rss_peak_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _send_chunked(url: str, path: str, total: int) -> bytes:
    """POSTs `total` bytes of JSON-ish garbage in 64 KB chunks, stopping as soon as the server answers; the answer."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    chunk = b"x" * 65_536
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        sent = 0
        try:
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read what it said
        answer = b""
        deadline = time.monotonic() + 30
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            try:
                data = sock.recv(65_536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    return answer


@pytest.mark.parametrize("path", ["/api/listings", "/login", "/register/csv"])
def test_a_huge_chunked_body_without_a_token_is_refused_in_constant_memory(app, world, path):  # noqa: F811
    with RunningObservatory(app) as server:
        _send_chunked(server.url, path, 1_000_000)  # warm up: the first request imports and allocates
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # resets the peak RSS (VmHWM) to the current RSS
        except OSError:
            pytest.skip("cannot reset the peak RSS on this kernel")
        before = _rss_peak_kb()
        answer = _send_chunked(server.url, path, 200_000_000)
        grown_mb = (_rss_peak_kb() - before) / 1024
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert grown_mb < 8, f"peak RSS grew by {grown_mb:.0f} MB"
