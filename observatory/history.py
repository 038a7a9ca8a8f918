"""Reading a listing's history: runs of states, and the difference between two snapshots."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from store import chain

MAX_DIFF_LINES = 400


@dataclass(frozen=True)
class StateRun:
    outcome: str
    since: datetime
    until: datetime
    checks: int


def state_runs(snapshots: Sequence[Any]) -> list[StateRun]:
    """Consecutive snapshots with the same outcome, folded into one run (oldest first)."""
    runs: list[StateRun] = []
    for s in snapshots:
        if runs and runs[-1].outcome == s.outcome:
            last = runs[-1]
            runs[-1] = StateRun(last.outcome, last.since, s.fetched_at, last.checks + 1)
        else:
            runs.append(StateRun(s.outcome, s.fetched_at, s.fetched_at, 1))
    return runs


@dataclass(frozen=True)
class SnapshotDiff:
    fields: tuple[tuple[str, Any, Any], ...]  # (name, in a, in b) for each field that differs
    body_lines: tuple[str, ...]  # unified diff of the bodies as text, possibly cut
    body_cut: bool


def diff(a: Any, b: Any, body_a: bytes | None, body_b: bytes | None) -> SnapshotDiff:
    left, right = chain.payload(a), chain.payload(b)
    ignored = {"seq", "prev_hash"}
    fields = tuple((name, left[name], right[name]) for name in chain.CHAINED_FIELDS
                   if name not in ignored and left[name] != right[name])
    lines: list[str] = []
    if body_a != body_b:
        lines = list(difflib.unified_diff(
            _text(body_a).splitlines(), _text(body_b).splitlines(),
            f"snapshot {a.seq}", f"snapshot {b.seq}", lineterm="", n=1))
    return SnapshotDiff(fields, tuple(lines[:MAX_DIFF_LINES]), len(lines) > MAX_DIFF_LINES)


def _text(body: bytes | None) -> str:
    return "" if body is None else body.decode("utf-8", errors="replace")
