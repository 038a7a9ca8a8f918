"""Peak memory of a command and everything it starts (Chromium, Playwright's driver), from /proc.

`resource.getrusage(RUSAGE_CHILDREN)` sees only one process at a time, and only those waited for:
Chromium's renderers would escape it. Here the proportional set size (PSS: shared pages divided
among the processes sharing them, so Chromium's shared libraries count once) of the whole process
tree is summed, sampled every 50 ms while the command runs.
"""
from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.cli.runner import Run, Vigie, vigie_command

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):  # ended while we looked
        pass
    return 0


def tree_memory_mb(root: int) -> float:
    """Memory (PSS) of `root` and all its descendants, in MB."""
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(children.get(pid, ()))
    return total / 1024


@dataclass
class MeasuredRun(Run):
    peak_mb: float = 0.0


def run_measured(vigie: Vigie, *args: str, timeout: float = 180) -> MeasuredRun:
    """`vigie ARGS` as `Vigie` runs it (same environment and working directory), with its peak memory."""
    process = subprocess.Popen([*vigie_command(), *args], env=vigie.env, cwd=vigie.cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], tree_memory_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
        if process.poll() is None:
            process.kill()
            process.wait()
    return MeasuredRun(process.returncode, out, err, peak_mb=peak[0])
