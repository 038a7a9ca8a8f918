"""Marketplace fee schedules: the normalised grid read from a seller fee page, and its diff.

Pure: a schedule is a frozen value; comparing two gives the list of changes, and one
fee_schedule_change event per changed page and check. When the page states the date the new
grid applies from, the event records the notice given; under 15 days breaks P2B Art. 3(2).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from detector.model import Event, EventKind

FIELDS = ("rate", "fixed", "minimum")
ADDED, REMOVED = "added", "removed"
RULE = "schedule_changed"


@dataclass(frozen=True)
class FeeRate:
    """One category's fees. rate is in percent (Decimal("15.5") is 15.5 %); amounts in the schedule's currency."""

    category: str
    rate: Decimal | None = None
    fixed: Decimal | None = None
    minimum: Decimal | None = None


@dataclass(frozen=True)
class FeeSchedule:
    rates: tuple[FeeRate, ...]
    currency: str | None = None
    effective_from: date | None = None  # "applicable from", when the page says so

    def by_category(self) -> dict[str, FeeRate]:
        return {category_key(r.category): r for r in self.rates}


@dataclass(frozen=True)
class FeeChange:
    category: str
    field: str  # rate, fixed, minimum; or added / removed for a whole category
    before: Decimal | None = None
    after: Decimal | None = None


def category_key(name: str) -> str:
    """Categories match whatever the case and spacing the page uses this time."""
    return " ".join(name.split()).casefold()


def diff(before: FeeSchedule, after: FeeSchedule) -> tuple[FeeChange, ...]:
    """Every change from before to after: categories in after's order, then removed ones."""
    old, new = before.by_category(), after.by_category()
    changes: list[FeeChange] = []
    for key, rate in new.items():
        previous = old.get(key)
        if previous is None:
            changes.append(FeeChange(rate.category, ADDED, None, rate.rate))
            continue
        for name in FIELDS:
            was, now = getattr(previous, name), getattr(rate, name)
            if was != now:
                changes.append(FeeChange(rate.category, name, was, now))
    changes += [FeeChange(rate.category, REMOVED, rate.rate, None) for key, rate in old.items() if key not in new]
    return tuple(changes)


def schedule_event(
    before: FeeSchedule, after: FeeSchedule, *, now: datetime, notice_days: int = 15
) -> Event | None:
    """One fee_schedule_change naming every change, or None when the grid is the same."""
    changes = diff(before, after)
    if not changes:
        return None
    details = {
        "rule": RULE,
        "changes": "\n".join(change_line(c) for c in changes),
        "categories": ", ".join(dict.fromkeys(c.category for c in changes)),
        "count": str(len(changes)),
        "currency": after.currency or before.currency or "",
        "baseline": summary(before),
    }
    if after.effective_from is not None:
        notice = (after.effective_from - now.date()).days
        details["effective_from"] = after.effective_from.isoformat()
        details["notice_days"] = str(notice)
        details["short_notice"] = "true" if notice < notice_days else "false"
        if notice < notice_days:
            details["rule"] = f"{RULE}+notice<{notice_days}d"
    return Event(EventKind.FEE_SCHEDULE_CHANGE, now, before=summary(before), after=summary(after), details=details)


def change_line(change: FeeChange) -> str:
    """category, field, before, after separated by tabs; the alert templates split it."""
    return "\t".join((change.category, change.field, plain(change.before), plain(change.after)))


def plain(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount.normalize(), "f")


def summary(schedule: FeeSchedule) -> str:
    """`Livres: 15% + 0.5 EUR (min 0.3 EUR); High-Tech: 7%` — the grid on one line."""
    unit = f" {schedule.currency}" if schedule.currency else ""
    parts = []
    for rate in schedule.rates:
        terms = []
        if rate.rate is not None:
            terms.append(f"{plain(rate.rate)}%")
        if rate.fixed is not None:
            terms.append(f"{plain(rate.fixed)}{unit}")
        text = " + ".join(terms) or "-"
        if rate.minimum is not None:
            text += f" (min {plain(rate.minimum)}{unit})"
        parts.append(f"{rate.category}: {text}")
    return "; ".join(parts)


def schedule_to_dict(schedule: FeeSchedule) -> dict[str, Any]:
    return {
        "currency": schedule.currency,
        "effective_from": schedule.effective_from.isoformat() if schedule.effective_from else None,
        "rates": [
            {"category": r.category, **{name: _text(getattr(r, name)) for name in FIELDS}} for r in schedule.rates
        ],
    }


def schedule_from_dict(data: dict[str, Any]) -> FeeSchedule:
    effective = data.get("effective_from")
    return FeeSchedule(
        rates=tuple(
            FeeRate(r["category"], **{name: _amount(r.get(name)) for name in FIELDS}) for r in data.get("rates", ())
        ),
        currency=data.get("currency"),
        effective_from=date.fromisoformat(effective) if effective else None,
    )


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
