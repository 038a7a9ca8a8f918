"""Fee schedule diffing, its event, the notice rule, and the state codec round trip."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from detector import EventKind, ListingState, Observation, Outcome, Policy, detect
from detector.codec import state_from_dict, state_to_dict
from detector.fees import FeeChange, FeeRate, FeeSchedule, diff, schedule_event, summary

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
BASE = FeeSchedule(
    rates=(FeeRate("Livres", D("15"), D("0.50"), D("0.30")), FeeRate("High-Tech", D("7"), None, D("0.30"))),
    currency="EUR",
)


def grid(*rates: FeeRate, effective: date | None = None) -> FeeSchedule:
    return FeeSchedule(rates=rates, currency="EUR", effective_from=effective)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (BASE, ()),
        # same grid, other case and spacing, 15 written as 15.0
        (grid(FeeRate("  livres ", D("15.0"), D("0.5"), D("0.30")), FeeRate("HIGH-TECH", D("7"), None, D("0.3"))), ()),
        (grid(FeeRate("Livres", D("15"), D("0.50"), D("0.30")), FeeRate("High-Tech", D("9"), None, D("0.30"))),
         (FeeChange("High-Tech", "rate", D("7"), D("9")),)),
        (grid(FeeRate("Livres", D("15"), D("0.60"), None), FeeRate("High-Tech", D("7"), None, D("0.30"))),
         (FeeChange("Livres", "fixed", D("0.50"), D("0.60")), FeeChange("Livres", "minimum", D("0.30"), None))),
        (grid(FeeRate("Livres", D("15"), D("0.50"), D("0.30"))), (FeeChange("High-Tech", "removed", D("7"), None),)),
        (grid(*BASE.rates, FeeRate("Jardin", D("12"))), (FeeChange("Jardin", "added", None, D("12")),)),
    ],
)
def test_diff(after: FeeSchedule, expected: tuple[FeeChange, ...]) -> None:
    assert diff(BASE, after) == expected


def test_one_event_lists_every_change() -> None:
    after = grid(FeeRate("Livres", D("16"), D("0.50"), D("0.30")), FeeRate("Jardin", D("12")))
    event = schedule_event(BASE, after, now=NOW)
    assert event is not None and event.kind is EventKind.FEE_SCHEDULE_CHANGE
    assert event.details["changes"].split("\n") == [
        "Livres\trate\t15\t16", "Jardin\tadded\t\t12", "High-Tech\tremoved\t7\t"]
    assert event.details["categories"] == "Livres, Jardin, High-Tech"
    assert event.before == summary(BASE) == "Livres: 15% + 0.5 EUR (min 0.3 EUR); High-Tech: 7% (min 0.3 EUR)"
    assert event.after == "Livres: 16% + 0.5 EUR (min 0.3 EUR); Jardin: 12%"
    assert "notice_days" not in event.details and event.details["rule"] == "schedule_changed"


@pytest.mark.parametrize(
    ("effective", "notice", "short"),
    [
        (date(2027, 1, 4), "15", "false"),
        (date(2027, 1, 3), "14", "true"),
        (date(2026, 12, 20), "0", "true"),
        (date(2026, 12, 1), "-19", "true"),
        (date(2027, 3, 1), "71", "false"),
    ],
)
def test_notice_days(effective: date, notice: str, short: str) -> None:
    after = grid(FeeRate("Livres", D("17"), D("0.50"), D("0.30")), BASE.rates[1], effective=effective)
    event = schedule_event(BASE, after, now=NOW)
    assert event is not None
    assert (event.details["notice_days"], event.details["short_notice"]) == (notice, short)
    assert event.details["effective_from"] == effective.isoformat()
    assert event.details["rule"].endswith("notice<15d") is (short == "true")


def fee_page(schedule: FeeSchedule | None, outcome: Outcome = Outcome.LISTED) -> Observation:
    return Observation(outcome, fee_schedule=schedule)


def test_detect_baseline_then_one_event_per_changed_check() -> None:
    changed = grid(FeeRate("Livres", D("15"), D("0.50"), D("0.30")), FeeRate("High-Tech", D("9"), None, D("0.30")))
    steps = [fee_page(BASE), fee_page(BASE), fee_page(None, Outcome.BLOCKED), fee_page(changed), fee_page(changed)]
    state, found = ListingState(), []
    for hour, observation in enumerate(steps):
        state, events = detect(state, observation, policy=Policy(), now=NOW + timedelta(hours=hour))
        found.append([e.kind for e in events])
    assert found == [[], [], [], [EventKind.FEE_SCHEDULE_CHANGE], []]
    assert state.fee_schedule == changed


def test_codec_round_trips_the_new_fields() -> None:
    state = ListingState(
        status=Outcome.LISTED, prices=(D("19.99"), D("20.01")), price_times=(NOW, NOW + timedelta(hours=1)),
        pending_price=D("25.00"), pending_shipping_fee=D("0"),
        fee_schedule=grid(*BASE.rates, effective=date(2027, 1, 1)),
    )
    assert state_from_dict(state_to_dict(state)) == state
    assert state_from_dict({"status": "listed", "prices": ["1"]}) == ListingState(
        status=Outcome.LISTED, prices=(D("1"),))
