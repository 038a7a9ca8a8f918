"""Abrupt price and delivery-fee changes under the default policy: a jump is reported once it is
seen twice at the new level; one that reverts at the next check is a glitch."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from detector import ListingState, Policy, detect
from detector.baseline import BaselineKind, Rules, Series, follow, reference
from tests.detector.steps import kinds, observation, run


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("L100 L130 L130 L130", "- - price_change -"),
        # a revert within one check is a glitch
        ("L100 L130 L100 L100", "- - - -"),
        ("L10/0 L10/4.99 L10/0", "- - -"),
        # free → paid delivery, confirmed, always counts
        ("L10/0 L10/4.99 L10/4.99", "- - shipping_fee_change"),
        # a second, different jump restarts the wait
        ("L100 L130 L160 L160", "- - - price_change"),
        # the new level may wobble within the threshold of the first sighting
        ("L100 L130 L125 L125", "- - price_change -"),
        # blocked pages say nothing: the pending jump waits for the next real reading
        ("L100 L130 B E L130", "- - - - price_change"),
        # an unavailable page in between leaves the pending jump alone
        ("L100 L130 U L130", "- - unavailable restored+price_change"),
        ("L100 L100 L100", "- - -"),
        ("L10/5 L13/6 L13/6", "- - price_change+shipping_fee_change"),
    ],
)
def test_default_policy_confirms_jumps(steps: str, expected: str) -> None:
    assert kinds(run(steps)[1]) == expected


def test_glitch_is_an_event_when_configured() -> None:
    assert kinds(run("L100 L130 L100", Policy(revert_is_glitch=False))[1]) == "- price_change price_change"


def test_event_carries_before_after_baseline_and_rule() -> None:
    _, per_step = run("L20 L20 L25 L25")
    (event,) = per_step[3]
    assert (event.before, event.after) == ("20", "25")
    assert event.details["baseline"] == "20"
    assert event.details["rule"] == "relative>10%"
    assert event.details["baseline_kind"] == "median_n(5)"


@pytest.mark.parametrize(
    ("policy", "steps", "expected", "rule"),
    [
        # absolute threshold: a 6 € move on a 1000 € item is 0.6 %, still abrupt past 5 €
        (Policy(absolute_threshold=Decimal("5")), "L1000 L1006 L1006", "- - price_change", "absolute>5"),
        (Policy(absolute_threshold=Decimal("5")), "L1000 L1005 L1005", "- - -", None),
        # relative fires first when both pass
        (Policy(absolute_threshold=Decimal("5")), "L100 L120 L120", "- - price_change", "relative>10%"),
        (Policy(price_threshold=Decimal("0.30")), "L100 L120 L120", "- - -", None),
        # free → paid ignores both thresholds
        (Policy(price_threshold=Decimal("100"), absolute_threshold=Decimal("100")), "L10/0 L10/1 L10/1",
         "- - shipping_fee_change", "free_to_paid"),
    ],
)
def test_thresholds(policy: Policy, steps: str, expected: str, rule: str | None) -> None:
    _, per_step = run(steps, policy)
    assert kinds(per_step) == expected
    fired = [e.details["rule"] for events in per_step for e in events]
    assert fired == ([rule] if rule else [])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # last confirmed value: the slow 5 % drift never passes 10 % from one step to the next
        ("last", "- - - - - -"),
        # median of the last 5: the drift shows at 115.76 against a median of 105 (confirmed at 121.55)
        ("median_n", "- - - - price_change -"),
    ],
)
def test_baseline_kinds_on_a_drift(kind: str, expected: str) -> None:
    steps = "L100 L105 L110.25 L115.76 L121.55 L127.63"
    assert kinds(run(steps, Policy(baseline=kind, revert_is_glitch=False))[1]).count("price_change") == (
        expected.count("price_change"))


START = datetime(2025, 3, 1, tzinfo=UTC)


def series(*points: tuple[float, str]) -> Series:
    """(days before START, value) pairs."""
    return Series(tuple(Decimal(v) for _, v in points), tuple(START - timedelta(days=d) for d, _ in points))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (BaselineKind.LAST, "30"),
        (BaselineKind.MEDIAN_N, "20"),  # last 3: 10, 20, 30
        (BaselineKind.MEDIAN_3D, "25"),  # 20 (2 days ago), 30 (today)
        (BaselineKind.MEDIAN_7D, "15"),  # 5 (6 days ago), 10, 20, 30
    ],
)
def test_reference_per_kind(kind: BaselineKind, expected: str) -> None:
    values = series((10, "100"), (6, "5"), (4, "10"), (2, "20"), (0, "30"))
    assert reference(values, kind=kind, size=3, now=START) == Decimal(expected)


def test_day_baseline_falls_back_to_the_last_value_after_a_pause() -> None:
    assert reference(series((20, "7"), (9, "8")), kind=BaselineKind.MEDIAN_3D, size=3, now=START) == Decimal(8)


def test_day_baseline_keeps_a_week_of_readings_and_forgets_older() -> None:
    rules = Rules(kind=BaselineKind.MEDIAN_7D, size=2, confirm=False)
    kept = Series()
    for hour in range(24 * 9):
        kept, _ = follow(kept, Decimal(10), rules=rules, now=START + timedelta(hours=hour))
    assert len(kept.values) == len(kept.times) == 24 * 7
    assert kept.times[0] > START + timedelta(hours=24 * 9 - 1) - timedelta(days=7)


def test_states_without_timestamps_still_work() -> None:
    state = ListingState(status=observation("L").outcome, prices=(Decimal(100),) * 3, currency="EUR")
    policy = Policy(baseline="median_3d")
    state, events = detect(state, observation("L150"), policy=policy, now=START)
    state, events = detect(state, observation("L150"), policy=policy, now=START + timedelta(hours=1))
    assert [e.kind.value for e in events] == ["price_change"]
    assert len(state.prices) == len(state.price_times)


def test_rejects_an_unknown_baseline_and_a_negative_absolute_threshold() -> None:
    for policy in (Policy(baseline="mean"), Policy(absolute_threshold=Decimal("-1"))):
        with pytest.raises(ValueError):
            detect(ListingState(), observation("L"), policy=policy, now=START)
