"""How much memory the browser holds: the Chromium processes under ours, RSS and PSS.

Chromium's processes share most of their pages (the binary, shared memory between the browser and
its renderers), so RSS summed over them counts those pages once per process: with 8 tabs it says
2 GB where the browser holds 0.8 GB (bench/browser_checks.py). PSS (proportional set size) divides
each shared page among the processes sharing it, so its sum is what the browser really holds; the
recycling limit uses it. RSS is kept for reports, it is what `ps` shows.

Read from /proc (Linux); psutil is not a dependency. Playwright does not expose the browser's
process id, so the browser is found as the `chrome`/`chromium`/`headless_shell` descendants of
this process (Python → Playwright's Node driver → Chromium and its renderers).
"""
from __future__ import annotations

import os
from pathlib import Path

BROWSER_NAMES = ("chrom", "headless_shell")
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat(pid_dir: Path) -> tuple[int, str, int] | None:
    """(pid, command name, parent pid) of one /proc entry, or None if it vanished."""
    try:
        raw = (pid_dir / "stat").read_text()
    except OSError:
        return None
    # the name is in parentheses and may itself hold spaces or parentheses
    name = raw[raw.index("(") + 1: raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return int(pid_dir.name), name, int(fields[1])


def descendants(root: int, proc: Path = Path("/proc")) -> dict[int, str]:
    """pid → command name of every process below `root`."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            found = _stat(entry)
            if found:
                pid, name, parent = found
                children.setdefault(parent, []).append((pid, name))
    result: dict[int, str] = {}
    stack = [root]
    while stack:
        for pid, name in children.get(stack.pop(), ()):
            if pid not in result:
                result[pid] = name
                stack.append(pid)
    return result


def rss_bytes(pid: int, proc: Path = Path("/proc")) -> int:
    try:
        return int((proc / str(pid) / "statm").read_text().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int, proc: Path = Path("/proc")) -> int:
    """Proportional set size of one process (Linux 4.14+); its RSS where the kernel lacks it."""
    try:
        for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss_bytes(pid, proc)


def browser_pids(root: int | None = None, proc: Path = Path("/proc")) -> list[int]:
    """The browser processes below `root` (default: this process)."""
    tree = descendants(os.getpid() if root is None else root, proc)
    return [pid for pid, name in tree.items() if any(marker in name.lower() for marker in BROWSER_NAMES)]


def browser_rss(root: int | None = None, proc: Path = Path("/proc")) -> int:
    """Summed RSS (bytes) of the browser processes: shared pages counted once per process."""
    return sum(rss_bytes(pid, proc) for pid in browser_pids(root, proc))


def browser_pss(root: int | None = None, proc: Path = Path("/proc")) -> int:
    """Summed PSS (bytes) of the browser processes: the memory the browser holds, shared pages once."""
    return sum(pss_bytes(pid, proc) for pid in browser_pids(root, proc))
