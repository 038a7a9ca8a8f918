"""Progress bars for long commands: shown when stderr is a terminal, silent in scripts and pipes."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def progress_for(what: str, *, stream=None) -> Iterator[Progress | None]:
    """A rich Progress on stderr when it is a terminal, else None (callers skip their updates)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    progress = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(file=stream), transient=True)
    with progress:
        yield progress
