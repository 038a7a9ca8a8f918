"""The observatory as users meet it on the big store: `vigie serve` as its own process, over HTTP (issue 24).

Starts the installed command against the loaded database, logs an investigator in (the login form, its CSRF
cookie) and makes an API token, then for each page, API call and export: the time to the last byte (best and
median of a few runs), the size, and the server's resident memory — sampled every 20 ms from /proc while the
response streams, so an export built whole in memory shows as a peak, and read again once it is over, so memory
kept after a big response shows too.
"""
from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import httpx

RUNS = 3


@dataclass(frozen=True)
class Row:
    what: str
    best: float
    median: float
    size: int
    peak_mb: float  # the server's RSS at its highest while answering
    after_mb: float  # and once the response is over


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


class Sampler:
    """The highest RSS of `pid` while the block runs."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> "Sampler":
        self.peak = rss_mb(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _vigie(vigie: list[str], env: dict[str, str], *arguments: str, stdin: str | None = None) -> str:
    done = subprocess.run([*vigie, *arguments], env=env, input=stdin, capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"vigie {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def serving(vigie: list[str], env: dict[str, str]) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    server = subprocess.Popen([*vigie, "serve", "--port", str(port)], env=env, cwd=tempfile.gettempdir(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/login", timeout=2)
            break
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"vigie serve did not start: {server.stderr.read().decode()[-800:]}")
            time.sleep(0.2)
    try:
        yield server, base
    finally:
        server.terminate()
        server.wait(timeout=30)


def logged_in(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"email": email, "password": password, "csrf": csrf, "next_url": "/"})
    if answer.status_code != 303:
        raise SystemExit(f"login refused: {answer.status_code}")
    return client


def measure(client: httpx.Client, pid: int, what: str, path: str) -> Row:
    seconds, size, peak = [], 0, 0.0
    for _ in range(RUNS):
        with Sampler(pid) as sampler:
            started = time.perf_counter()
            with client.stream("GET", path) as response:
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
                size = sum(len(chunk) for chunk in response.iter_raw())
            seconds.append(time.perf_counter() - started)
        peak = max(peak, sampler.peak)
    time.sleep(0.5)  # what the server keeps once the response is over
    return Row(what, min(seconds), statistics.median(seconds), size, peak, rss_mb(pid))


def server_rows(vigie: list[str], env: dict[str, str], *, long_listing: int) -> tuple[float, list[Row]]:
    """(the server's RSS once warm, a Row per request) against the database in env."""
    email, password = f"bench-{int(time.time())}@example.org", "bench-password-1234"  # a new one each run
    _vigie(vigie, env, "user", "add", email, "--role", "investigator", "--password-stdin", stdin=password + "\n")
    ordinary = 4242 if long_listing > 4242 else long_listing // 2  # a listing with the usual 100 snapshots
    token = _vigie(vigie, env, "user", "token", email).split()[-1]
    with serving(vigie, env) as (server, base):
        web = logged_in(base, email, password)
        api = httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"})
        web.get("/login")
        baseline = rss_mb(server.pid)
        rows = [measure(web, server.pid, what, path) for what, path in (
            ("dashboard /", "/"),
            ("/listings (first page)", "/listings"),
            ("/listings?q=produit 4242", "/listings?q=produit%204242"),
            ("/events (first page)", "/events"),
            (f"/listings/{long_listing} (the long history)", f"/listings/{long_listing}"),
            (f"/listings/{ordinary} (100 snapshots)", f"/listings/{ordinary}"),
        )]
        rows += [measure(api, server.pid, what, path) for what, path in (
            ("/api/listings (first page)", "/api/listings"),
            ("/api/events (first page)", "/api/events"),
            ("export listings CSV (all)", "/api/export/listings.csv"),
            ("export listings JSON (all)", "/api/export/listings.json"),
            ("export events CSV (all)", "/api/export/events.csv"),
            ("export events JSON (all)", "/api/export/events.json"),
            (f"evidence bundle, listing {ordinary}", f"/api/listings/{ordinary}/evidence"),
            (f"evidence bundle, listing {long_listing}", f"/api/listings/{long_listing}/evidence"),
        )]
    return baseline, rows


def report(baseline: float, rows: list[Row]) -> None:
    print(f"\n{'vigie serve, over HTTP':<44} {'best':>9} {'median':>9} {'size':>10} {'peak RSS':>9} {'after':>8}")
    for row in rows:
        print(f"{row.what:<44} {row.best * 1000:>6.0f} ms {row.median * 1000:>6.0f} ms {_size(row.size):>10} "
              f"{row.peak_mb:>6.0f} MB {row.after_mb:>5.0f} MB")
    print(f"(server RSS once warm: {baseline:.0f} MB; {RUNS} runs each)")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


if __name__ == "__main__":  # against a database already loaded by bench/big_store.py
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="e.g. postgresql://postgres@127.0.0.1:5432/vigie_big")
    parser.add_argument("--long-listing", type=int, default=100_001)
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    python = root / ".venv" / "bin" / "python"
    env = {**os.environ, "VIGIE_DATABASE_URL": args.url, "VIGIE_DATA_DIR": tempfile.mkdtemp(prefix="vigie-big-"),
           "PYTHONPATH": str(root)}
    report(*server_rows([str(python) if python.exists() else sys.executable, "-m", "vigie"], env,
                        long_listing=args.long_listing))
