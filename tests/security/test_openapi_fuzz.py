"""Schemathesis over /openapi.json with a seller's token, against a real uvicorn on loopback.

All four phases (examples, coverage, fuzzing, stateful), valid and invalid input, about 30 fuzzed cases per
operation plus the coverage and stateful ones (a few hundred per operation, ~2 min on a shared 2-core box):
no 5xx, and every answer (status, headers, content type, body) is one the schema declares.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from observatory.server import RunningObservatory
from tests.observatory.conftest import app, world  # noqa: F401  (fixtures: a seeded database, users of each role)

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Every check but two. No use_after_free: DELETE stops watching a listing and keeps its history and evidence on
# purpose (P2B proof), so its snapshots stay readable after it. No positive_data_acceptance: registering refuses
# schema-valid bodies no schema can rule out (a URL whose host resolves to a refused address, one already
# registered, an adapter's product id); their 422 says why in one line.
EXCLUDED = "use_after_free,positive_data_acceptance"

pytestmark = pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed ([test] extras)")


@pytest.mark.timeout(480)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(app, world, tmp_path):  # noqa: F811
    token = world.tokens["alice@example.org"]
    with RunningObservatory(app) as server:
        run = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{server.url}/openapi.json", "--header", f"Authorization: Bearer {token}",
             "--phases", "examples,coverage,fuzzing,stateful", "--checks", "all", "--exclude-checks", EXCLUDED,
             "--max-examples", "30", "--seed", "15", "--workers", "1", "--no-color", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=450, cwd=tmp_path)
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
