"""Human durations for `--every`: 90s, 30m, 1h, 1h30m, 2d."""
from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _PART.sub("", cleaned):
        raise ValueError(f"{text!r} is not a duration like 30m, 1h or 1d")
    return timedelta(seconds=sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(cleaned)))


def format_duration(seconds: int) -> str:
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
