"""How much memory the browser holds: the resident set of Chromium processes under ours.

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


def browser_rss(root: int | None = None, proc: Path = Path("/proc")) -> int:
    """Summed RSS (bytes) of the browser processes below `root` (default: this process).

    A sum over processes counts shared pages more than once: an upper bound, which is what a
    memory limit wants.
    """
    tree = descendants(os.getpid() if root is None else root, proc)
    return sum(rss_bytes(pid, proc) for pid, name in tree.items()
               if any(marker in name.lower() for marker in BROWSER_NAMES))
