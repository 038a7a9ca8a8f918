"""Progress bars for long commands: shown when stderr is a terminal, silent in scripts and pipes (or, for
the jobs that ask, a plain line every few seconds)."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class ProgressLines:
    """Progress as a plain line on stderr at most every `every` seconds: a long job run from cron or a
    pipe still says how far it got (`add_task` / `advance`, as rich's Progress)."""

    def __init__(self, what: str, stream, *, every: float = 10.0, clock=time.monotonic):
        self.what, self.stream, self.every, self.clock = what, stream, every, clock
        self.total, self.done, self.said = 0, 0, clock()

    def add_task(self, _description: str, total: int | None = None) -> int:
        self.total = total or 0
        return 0

    def advance(self, _task: int, count: int = 1) -> None:
        self.done += count
        if self.clock() - self.said >= self.every:
            self.said = self.clock()
            share = f" ({self.done / self.total:.0%})" if self.total else ""
            self.stream.write(f"{self.what}: {self.done:,} of {self.total:,}{share}\n")
            self.stream.flush()


@contextmanager
def progress_for(what: str, *, stream=None, lines: bool = False) -> Iterator[Progress | ProgressLines | None]:
    """A rich Progress on stderr when it is a terminal; else None (callers skip their updates), or with
    `lines` a ProgressLines."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield ProgressLines(what, stream) if lines else None
        return
    progress = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(file=stream), transient=True)
    with progress:
        yield progress
