"""Human durations for `--every`, `--older-than` and the settings: 90s, 30m, 1h, 1h30m, 2d."""
from __future__ import annotations

import re
from datetime import timedelta

from said import N_, Text, short_duration
from vigie.limits import DURATION_MAX, shown

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_LONGEST_TEXT = 40  # "1w2d3h4m5s" is ten characters: anything far longer is not a duration someone typed


def parse_duration(text: str, *, at_most: timedelta = DURATION_MAX) -> timedelta:
    """The duration `text` names; ValueError (one line, naming the limit) if it is not one or is over `at_most`."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or len(cleaned) > _LONGEST_TEXT or _PART.sub("", cleaned):
        raise ValueError(Text(N_("%(text)s is not a duration like 30m, 1h or 1d"), text=shown(text)))
    seconds = sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(cleaned))
    if seconds > at_most.total_seconds():  # checked before timedelta() is built: it overflows past 999,999,999 days
        raise ValueError(Text(N_("%(text)s is too long: at most %(most)s"), text=shown(text), most=at_most))
    return timedelta(seconds=seconds)


format_duration = short_duration  # 90 → 1m30s


def format_elapsed(seconds: float) -> str:
    """How long a pass took, to a useful precision: "40 ms", "3.2 s", "2 min 05 s" (never "0.0 s")."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"
