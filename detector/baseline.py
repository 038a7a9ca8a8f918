"""Recent-value baselines for prices and shipping fees, and the "abrupt change" rule.

A value is compared with the median of the last few listed values rather than with the previous
one, so that a single odd reading (a flash sale, a mis-parsed page) moves the baseline little.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# A change from a zero baseline has no finite ratio; "+inf" still parses as Decimal("Infinity").
UNBOUNDED_PCT = "+inf"


@dataclass(frozen=True)
class Jump:
    """An abrupt change of one tracked value."""

    before: Decimal  # the previous listed value
    after: Decimal
    baseline: Decimal  # the median it was judged against
    change_pct: str  # signed, one decimal: "+25.0", "-12.5", or UNBOUNDED_PCT
    rule: str  # "relative>10%" or "free_to_paid"


def median(values: tuple[Decimal, ...]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def relative_rule(threshold: Decimal) -> str:
    return f"relative>{format((threshold * 100).normalize(), 'f')}%"


def percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+f}"


def judge(
    window: tuple[Decimal, ...],
    value: Decimal,
    *,
    threshold: Decimal,
    free_to_paid: bool,
) -> Jump | None:
    """The jump from the window's median to value, or None when the change is not abrupt.

    free_to_paid: a move away from a zero baseline (free delivery becoming paid) is always abrupt,
    whatever the threshold; prices use only the relative rule, for which a move from zero is an
    unbounded change.
    """
    if not window:
        return None
    base = median(window)
    if base == 0:
        if value == 0:
            return None
        rule = "free_to_paid" if free_to_paid else relative_rule(threshold)
        return Jump(window[-1], value, base, UNBOUNDED_PCT, rule)
    ratio = (value - base) / base
    if abs(ratio) <= threshold:
        return None
    return Jump(window[-1], value, base, percent(ratio), relative_rule(threshold))


def track(
    window: tuple[Decimal, ...],
    value: Decimal,
    *,
    size: int,
    threshold: Decimal,
    free_to_paid: bool = False,
) -> tuple[tuple[Decimal, ...], Jump | None]:
    """The next window (oldest first, at most size values) and the jump value makes, if any.

    After a jump the window restarts from the new value alone: otherwise the median would lag
    behind for several checks and the same move would be reported again on each of them.
    """
    recent = window[-size:]
    jump = judge(recent, value, threshold=threshold, free_to_paid=free_to_paid)
    if jump is not None:
        return (value,), jump
    return (recent + (value,))[-size:], None
