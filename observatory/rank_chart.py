"""A search watch's organic rank over time, as coordinates for an inline SVG drawn server-side (issue 27).

Built on the price chart's pieces (observatory.chart: its size and margins, round steps, time axis, event marks).
A rank is better when lower, so the axis runs from #1 at the top down to a round rank just past the worst seen.
Each check is one of three things, drawn apart:
- found: a dot at its rank, joined to its neighbours by the rank line;
- not found (a complete walk of the first K pages without the offer's organic result): a cross on a "not found"
  row under the ranks, which the line goes down to: that is a drop;
- no answer (a wall, an error, a partial walk): a grey mark on the time axis and a break in the line. It says
  nothing about the rank, so it is never drawn as a drop, nor bridged as if the rank had held.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Sequence

from observatory.chart import (BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Mark, Tick, TimeAxis, px, event_marks,
                               nice_step)
from observatory.i18n import FALLBACK, Ui, load_catalogues, ui_for

MARKED = ("search_dropped", "not_indexed")  # the search events
ABSENT_ROW = 28  # pixels between the worst rank shown and the time axis, the "not found" row in the middle
RANK_TICKS = 5
SHOWN_RANKS = 10  # the axis shows at least #1 to #10: a steady #2 is not drawn as a plunge to #3


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    status: str  # "found", "absent" or "no_answer"
    label: str  # time and rank (or why no rank), shown on hover

    @property
    def cross(self) -> str:
        """The SVG path of a "not found" cross centred on the point."""
        return f"M{Decimal(self.x) - 4},{Decimal(self.y) - 4} l8,8 m0,-8 l-8,8"


@dataclass(frozen=True)
class RankChart:
    lines: tuple[str, ...]  # SVG polyline points, one per run of complete checks
    points: tuple[Point, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    absent_y: str  # the "not found" row
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.points


def rank_range(ranks: Sequence[int]) -> tuple[int, int]:
    """(worst rank on the axis, step): a round bound at or past the worst rank seen, #1 being the best."""
    worst = max([*ranks, SHOWN_RANKS])
    step = nice_step(Decimal(worst - 1), RANK_TICKS - 1)
    step = max(step, Decimal(1))
    return int(((Decimal(worst) / step).to_integral_value(ROUND_CEILING)) * step), int(step)


def build(checks: Sequence[Any], events: Sequence[Any] = (), ui: Ui | None = None) -> RankChart:
    """From checks (checked_at, complete, position, sponsored, reasons), oldest first, and the watch's events."""
    ui = ui or ui_for(load_catalogues(), FALLBACK)
    if not checks:
        return RankChart((), (), (), (), (), "0")
    axis = TimeAxis.over([c.checked_at for c in checks] + [e.detected_at for e in events if e.kind in MARKED])
    worst, step = rank_range([c.position for c in checks if c.complete and c.position is not None])
    ranks_bottom = HEIGHT - BOTTOM - ABSENT_ROW
    absent_y = px(Decimal(ranks_bottom + ABSENT_ROW // 2))  # halfway between the worst rank and the time axis

    def y(rank: int) -> Decimal:
        return px(TOP + Decimal(rank - 1) / Decimal(worst - 1) * (ranks_bottom - TOP))

    lines, run, points = [], [], []
    for check in checks:
        x, at = axis.x(check.checked_at), ui.when(check.checked_at)
        if not check.complete:  # no answer: the line breaks here
            if run:
                lines.append(" ".join(run))
            run = []
            why = "; ".join(check.reasons or ()) or ui.gettext("incomplete walk")
            points.append(Point(str(x), str(HEIGHT - BOTTOM), "no_answer",
                                f"{at} · {ui.gettext('no answer')}: {why}"))
            continue
        if check.position is not None:
            spot, status, said = y(check.position), "found", f"#{check.position}"
        else:
            spot, status = absent_y, "absent"
            said = ui.gettext("not found") + (f" ({ui.gettext('sponsored only')})" if check.sponsored else "")
        run.append(f"{x},{spot}")
        points.append(Point(str(x), str(spot), status, f"{at} · {said}"))
    if run:
        lines.append(" ".join(run))
    ticks = [1, *range(step, worst + 1, step)] if step > 1 else list(range(1, worst + 1))
    y_ticks = tuple(Tick(str(y(rank)), f"#{rank}") for rank in ticks)
    return RankChart(tuple(lines), tuple(points), y_ticks, axis.ticks(ui), event_marks(events, axis, ui, MARKED),
                     str(absent_y))
