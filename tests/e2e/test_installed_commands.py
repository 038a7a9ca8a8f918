"""Commands as a user runs them: from a working directory of their own, with the `vigie` under test (an
installed wheel's under `make test-installed`). Together with the delisting loop, the fee change and the
service tests, this is the suite CI runs against the installed package."""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from store.db import make_engine, session_factory, session_scope
from store.models import Blob, Snapshot
from tests.cli.runner import Vigie, vigie_command, work_dir

BIG = 17 * 1024 * 1024  # past the 16 MB a check may download


class BigPage(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(BIG))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65_533
        try:
            for _ in range(BIG // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up, as it should

    def log_message(self, *args):
        pass


def test_check_records_from_any_directory_and_refuses_a_page_over_the_size_limit(tmp_path, database_url):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BigPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        vigie = Vigie(tmp_path / "data", database_url)
        listing = vigie.ok("add", f"http://127.0.0.1:{server.server_port}/p/huge", "--json").json()
        run = vigie("check", "--all", "--json")
    finally:
        server.shutdown()
        server.server_close()
    assert run.code == 0, run.err
    [result] = run.json()["results"]
    assert result["listing_id"] == listing["id"]
    assert result["outcome"] == "error"
    assert any("size" in reason.lower() for reason in result["reasons"]), result["reasons"]
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            assert session.scalar(select(func.count()).select_from(Snapshot)) == 1  # recorded, not lost
            assert (session.scalar(select(func.max(Blob.size))) or 0) < 1024 * 1024  # nothing large stored
    finally:
        engine.dispose()


def test_demo_runs_the_whole_loop_from_any_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    done = subprocess.run([*vigie_command(), "demo", "--keep", str(tmp_path / "demo")], cwd=work_dir(), env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "7 events, 7 emails sent" in done.stdout
    assert len(list((tmp_path / "demo" / "demo-mail").glob("*.eml"))) == 7  # 4 listing events, 1 hidden offer, 2 search


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_from_any_directory(tmp_path, database_url):
    port = _free_port()
    env = {**os.environ, "VIGIE_DATA_DIR": str(tmp_path / "data"), "VIGIE_DATABASE_URL": database_url}
    log = tmp_path / "serve.log"
    with open(log, "wb") as handle:
        server = subprocess.Popen([*vigie_command(), "serve", "--port", str(port)], cwd=work_dir(), env=env,
                                  stdout=handle, stderr=handle)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    status, page = response.status, response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"vigie serve did not answer: {log.read_text()}")
                time.sleep(0.3)
        assert status == 200
        assert 'name="password"' in page  # the login page, its template found in the installed package
    finally:
        server.terminate()
        server.wait(timeout=30)
