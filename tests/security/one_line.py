"""The CLI's refusal contract, shared by the security tests: exit 2 and one short line naming what is wrong."""
from __future__ import annotations

from tests.cli.runner import Run


def refused(run: Run, *words: str) -> None:
    assert run.code == 2, f"exit {run.code}: {run.err[-500:]}"
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, run.err[-500:]
    for word in words:
        assert word in lines[0], lines[0]
