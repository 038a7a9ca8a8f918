"""Property tests of the abrupt-change rules: thresholds, baselines, reverts, free → paid."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, strategies as st

from detector import EventKind, ListingState, Observation, Outcome, Policy, detect

START = datetime(2025, 3, 1, tzinfo=UTC)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)
policies = st.builds(
    Policy,
    price_threshold=st.sampled_from(["0.05", "0.10", "0.5"]).map(Decimal),
    absolute_threshold=st.one_of(st.none(), st.sampled_from(["1", "5", "50"]).map(Decimal)),
    baseline=st.sampled_from(["last", "median_n", "median_3d", "median_7d"]),
    baseline_window=st.integers(1, 6),
)


def feed(values: list[tuple[Decimal | None, Decimal | None]], policy: Policy) -> list[list[EventKind]]:
    state, found = ListingState(), []
    for hour, (price, fee) in enumerate(values):
        observation = Observation(Outcome.LISTED, price=price, shipping_fee=fee, currency="EUR")
        state, events = detect(state, observation, policy=policy, now=START + timedelta(hours=hour))
        found.append([e.kind for e in events])
    return found


def abrupt(base: Decimal, value: Decimal, policy: Policy) -> bool:
    relative = abs(value - base) / base > policy.price_threshold
    absolute = policy.absolute_threshold is not None and abs(value - base) > policy.absolute_threshold
    return relative or absolute


@given(history=st.lists(money, min_size=1, max_size=8), glitch=money, policy=policies)
def test_a_reading_that_reverts_at_the_next_check_never_alerts(history, glitch, policy) -> None:
    steady = history[-1]
    values = [(p, None) for p in history] + [(steady, None)] * 8 + [(glitch, None), (steady, None)]
    found = feed(values, policy)
    assert found[-2:] == [[], []]


@given(base=money, new=money, policy=policies, stay=st.integers(2, 6))
def test_a_jump_that_persists_alerts_exactly_once_at_its_second_sighting(base, new, policy, stay) -> None:
    found = feed([(base, None)] * 3 + [(new, None)] * stay, policy)
    expected = abrupt(base, new, policy)
    assert found[3] == []
    assert found[4] == ([EventKind.PRICE_CHANGE] if expected else [])
    assert sum(kind is EventKind.PRICE_CHANGE for step in found for kind in step) == int(expected)


@given(base=money, new=money, low=st.sampled_from(["0.01", "0.05"]), high=st.sampled_from(["0.2", "0.5", "1"]))
def test_a_looser_threshold_never_reports_more(base, new, low, high) -> None:
    values = [(base, None)] * 2 + [(new, None)] * 2
    strict = feed(values, Policy(price_threshold=Decimal(low)))
    lax = feed(values, Policy(price_threshold=Decimal(high)))
    count = lambda found: sum(len(step) for step in found)  # noqa: E731
    assert count(lax) <= count(strict)


@given(fee=money, policy=policies, free_checks=st.integers(1, 5))
def test_free_to_paid_delivery_always_counts_once_confirmed(fee, policy, free_checks) -> None:
    found = feed([(Decimal(10), Decimal(0))] * free_checks + [(Decimal(10), fee)] * 2, policy)
    assert found[-2:] == [[], [EventKind.SHIPPING_FEE_CHANGE]]


@given(price=money, policy=policies, steps=st.integers(1, 20))
def test_a_constant_value_never_alerts_whatever_the_baseline(price, policy, steps) -> None:
    assert all(step == [] for step in feed([(price, price)] * steps, policy))
