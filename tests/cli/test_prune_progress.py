"""`vigie prune` says how far it got on stderr, a terminal or not (cron, pipes)."""
from __future__ import annotations

import io

from vigie.cli.progress import ProgressLines


def test_progress_lines_are_spaced_in_time():
    now = [0.0]
    stream = io.StringIO()
    lines = ProgressLines("pruning: blobs examined", stream, every=10, clock=lambda: now[0])
    task = lines.add_task("pruning", total=4000)
    for _ in range(4):
        now[0] += 6
        lines.advance(task, 1000)
    assert stream.getvalue().splitlines() == ["pruning: blobs examined: 2,000 of 4,000 (50%)",
                                              "pruning: blobs examined: 4,000 of 4,000 (100%)"]


def test_prune_on_an_empty_store_reports_nothing_freed(vigie):
    result = vigie("prune", "--older-than", "30d")
    assert result.code == 0, result.err
    assert "0 blob(s) freed" in result.err
