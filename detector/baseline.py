"""Recent-value baselines for prices and shipping fees, and the "abrupt change" rules.

A value is compared with a baseline of recent listed values rather than with the previous one
alone, so that a single odd reading (a flash sale, a mis-parsed page) moves the baseline little.
The baseline is one of (`BaselineKind`): the last confirmed value, the median of the last N
listed values, or the median of the values seen over the last 3 or 7 days.

A change is abrupt when it passes the relative threshold, or the absolute one when set; a move
away from a zero delivery fee (free becoming paid) is always abrupt. With `confirm` (the default
policy), an abrupt value must be seen twice in a row before it is reported: one that reverts at
the next check is a glitch and only joins the baseline as the reading it was.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# A change from a zero baseline has no finite ratio; "+inf" still parses as Decimal("Infinity").
UNBOUNDED_PCT = "+inf"
# However often a listing is checked, a day-based baseline keeps at most this many readings.
MAX_KEPT = 500


class BaselineKind(StrEnum):
    LAST = "last"  # the last confirmed value
    MEDIAN_N = "median_n"  # median of the last N listed values (Policy.baseline_window)
    MEDIAN_3D = "median_3d"
    MEDIAN_7D = "median_7d"

    @property
    def days(self) -> int | None:
        return {BaselineKind.MEDIAN_3D: 3, BaselineKind.MEDIAN_7D: 7}.get(self)

    def describe(self, size: int) -> str:
        return f"median_n({size})" if self is BaselineKind.MEDIAN_N else self.value


@dataclass(frozen=True)
class Jump:
    """An abrupt change of one tracked value."""

    before: Decimal  # the last confirmed value
    after: Decimal
    baseline: Decimal  # what it was judged against
    change_pct: str  # signed, one decimal: "+25.0", "-12.5", or UNBOUNDED_PCT
    rule: str  # "relative>10%", "absolute>5", or "free_to_paid"
    baseline_kind: str = BaselineKind.MEDIAN_N.value


@dataclass(frozen=True)
class Rules:
    """What makes a change abrupt, from the Policy."""

    relative: Decimal = Decimal("0.10")
    absolute: Decimal | None = None
    free_to_paid: bool = False
    kind: BaselineKind = BaselineKind.MEDIAN_N
    size: int = 5  # N of median_n, and the fewest readings any kind keeps
    confirm: bool = True  # a jump needs a second sighting at the new level


@dataclass(frozen=True)
class Series:
    """Recent listed values, oldest first, when each was seen, and a jump waiting for confirmation."""

    values: tuple[Decimal, ...] = ()
    times: tuple[datetime, ...] = ()
    pending: Decimal | None = None


def median(values: tuple[Decimal, ...]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def relative_rule(threshold: Decimal) -> str:
    return f"relative>{format((threshold * 100).normalize(), 'f')}%"


def absolute_rule(threshold: Decimal) -> str:
    return f"absolute>{format(threshold.normalize(), 'f')}"


def percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+f}"


def reference(series: Series, *, kind: BaselineKind, size: int, now: datetime) -> Decimal | None:
    """The baseline a new value is judged against, or None before any value."""
    if not series.values:
        return None
    if kind is BaselineKind.LAST:
        return series.values[-1]
    if kind.days is None:
        return median(series.values[-size:])
    since = now - timedelta(days=kind.days)
    recent = tuple(v for v, t in zip(series.values, _times(series, now)) if t > since)
    # nothing seen lately (checks paused for days): the last value is all there is to go on
    return median(recent) if recent else series.values[-1]


def judge_against(base: Decimal, last: Decimal, value: Decimal, rules: Rules) -> Jump | None:
    """The jump from base to value, or None when the change is not abrupt."""
    kind = rules.kind.describe(rules.size)
    if base == 0:
        if value == 0:
            return None
        if rules.free_to_paid:
            return Jump(last, value, base, UNBOUNDED_PCT, "free_to_paid", kind)
        return Jump(last, value, base, UNBOUNDED_PCT, relative_rule(rules.relative), kind)
    ratio = (value - base) / base
    if abs(ratio) > rules.relative:
        return Jump(last, value, base, percent(ratio), relative_rule(rules.relative), kind)
    if rules.absolute is not None and abs(value - base) > rules.absolute:
        return Jump(last, value, base, percent(ratio), absolute_rule(rules.absolute), kind)
    return None


def follow(series: Series, value: Decimal, *, rules: Rules, now: datetime) -> tuple[Series, Jump | None]:
    """The next series and the jump `value` makes, if one is to be reported now.

    After a reported jump the series restarts from the new value alone: otherwise the median would
    lag behind for several checks and the same move would be reported again on each of them.
    """
    series = _kept(series, rules, now)
    base = reference(series, kind=rules.kind, size=rules.size, now=now)
    if base is None:
        return _appended(series, value, rules, now), None
    jump = judge_against(base, series.values[-1], value, rules)
    if not rules.confirm:
        return (Series((value,), (now,)), jump) if jump else (_appended(series, value, rules, now), None)
    if jump is None:
        # back at (or still at) the usual level: any pending jump was a glitch
        return _appended(replace(series, pending=None), value, rules, now), None
    if series.pending is not None and judge_against(series.pending, series.pending, value, rules) is None:
        return Series((value,), (now,)), jump
    return replace(series, pending=value), None


def judge(
    window: tuple[Decimal, ...], value: Decimal, *, threshold: Decimal, free_to_paid: bool
) -> Jump | None:
    """The jump from the window's median to value (relative rule, free → paid), or None."""
    if not window:
        return None
    return judge_against(median(window), window[-1], value,
                         Rules(relative=threshold, free_to_paid=free_to_paid, size=len(window)))


def track(
    window: tuple[Decimal, ...], value: Decimal, *, size: int, threshold: Decimal, free_to_paid: bool = False
) -> tuple[tuple[Decimal, ...], Jump | None]:
    """Values only, reported at once: the next window (at most size values) and the jump, if any."""
    recent = window[-size:]
    jump = judge(recent, value, threshold=threshold, free_to_paid=free_to_paid)
    if jump is not None:
        return (value,), jump
    return (recent + (value,))[-size:], None


def _appended(series: Series, value: Decimal, rules: Rules, now: datetime) -> Series:
    grown = Series(series.values + (value,), _times(series, now) + (now,), series.pending)
    return _kept(grown, rules, now)


def _kept(series: Series, rules: Rules, now: datetime) -> Series:
    """The readings still needed: the last `size`, and those of the last days for a day baseline."""
    times = _times(series, now)
    keep_from = max(0, len(series.values) - rules.size)
    if rules.kind.days is not None:
        since = now - timedelta(days=rules.kind.days)
        recent = next((i for i, t in enumerate(times) if t > since), len(times))
        keep_from = max(min(keep_from, recent), len(series.values) - MAX_KEPT)
    return Series(series.values[keep_from:], times[keep_from:], series.pending)


def _times(series: Series, now: datetime) -> tuple[datetime, ...]:
    """States written before timestamps were kept have none: their few values count as recent."""
    if len(series.times) == len(series.values):
        return series.times
    return (now,) * len(series.values)
