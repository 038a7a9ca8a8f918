"""Real consumers of the exported archive: warcio's own checker and indexer, and pywb, Webrecorder's replay
server, which must serve the captured page back over loopback HTTP.

pywb pins redis<3, which Vigie's cluster mode cannot use, so it runs from a venv of its own
(.ci/setup.d/pywb.sh makes /opt/vigie-pywb; VIGIE_TEST_PYWB names another bin directory)."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.conftest import World


def _warc(world: World, folder: Path) -> Path:
    path = folder / "data.warc.gz"
    with zipfile.ZipFile(world.wacz) as z:
        path.write_bytes(z.read("archive/data.warc.gz"))
    return path


def test_warcio_checks_and_indexes_the_warc(world: World, tmp_path):
    warc = _warc(world, tmp_path)
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(warc)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "digest failed" not in check.stdout
    index = subprocess.run([sys.executable, "-m", "warcio.cli", "index", "-f", "warc-type,warc-target-uri,http:status",
                            str(warc)], capture_output=True, text=True, timeout=60, check=True)
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert {"warc-type": "response", "warc-target-uri": world.page_url, "http:status": "200"} in rows


def _pywb_bin() -> Path | None:
    for folder in (os.environ.get("VIGIE_TEST_PYWB"), "/opt/vigie-pywb/bin"):
        if folder and (Path(folder) / "wayback").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_pywb_replays_the_captured_page(world: World, tmp_path):
    pywb = _pywb_bin()
    if pywb is None:
        pytest.skip("pywb is not installed: run .ci/setup.d/pywb.sh (or set VIGIE_TEST_PYWB)")
    with zipfile.ZipFile(world.wacz) as z:
        snapshots = json.loads(z.read("vigie/snapshots.json"))
        warc = z.read("archive/data.warc.gz")
    bodies = {r.rec_headers.get_header("WARC-Date"): r.content_stream().read()
              for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response"
              and r.rec_headers.get_header("WARC-Target-URI") == world.page_url}
    first = snapshots[0]
    body = next(iter(bodies.values()))
    assert first["http_status"] == 200 and b"Lampe Dupont" in body
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    subprocess.run([str(pywb / "wb-manager"), "init", "evidence"], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=60)
    subprocess.run([str(pywb / "wb-manager"), "add", "--unpack-wacz", "evidence", str(world.wacz)], cwd=tmp_path,
                   env=env, check=True, capture_output=True, timeout=60)
    port = _free_port()
    server = subprocess.Popen([str(pywb / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stamp = "".join(ch for ch in first["fetched_at"][:19] if ch.isdigit())
        url = f"http://127.0.0.1:{port}/evidence/{stamp}id_/{world.page_url}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, replayed = _get(url)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert status == 200, replayed[:300]
        assert replayed == body  # the archived bytes, served back by a replay tool that is not Vigie
    finally:
        server.terminate()
        server.wait(timeout=10)
