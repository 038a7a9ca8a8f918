"""Property tests: the detector's promises hold for any sequence of observations."""
from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from detector import EventKind, ListingState, Observation, Outcome, Policy, detect
from tests.detector.steps import SELLERS, START, TRACKED

INFORMATIVE = [Outcome.LISTED, Outcome.UNAVAILABLE, Outcome.OFFER_GONE, Outcome.GONE]
SILENT = [Outcome.BLOCKED, Outcome.ERROR]
PRICE_EVENTS = {EventKind.PRICE_CHANGE, EventKind.SHIPPING_FEE_CHANGE}

amounts = st.one_of(st.none(), st.sampled_from(["0", "4.99", "10", "10.50", "12", "99.90", "100"]).map(Decimal))


def observations(outcomes: list[Outcome]) -> st.SearchStrategy[Observation]:
    return st.builds(
        Observation,
        outcome=st.sampled_from(outcomes),
        price=amounts,
        currency=st.sampled_from([None, "EUR", "USD"]),
        shipping_fee=amounts,
        seller=st.one_of(st.none(), st.sampled_from(sorted(SELLERS.values()))),
        availability=st.sampled_from([None, "InStock", "OutOfStock"]),
        reasons=st.lists(st.sampled_from(["404", "captcha", "no price"]), max_size=2).map(tuple),
    )


policies = st.builds(
    Policy,
    confirmations=st.integers(1, 4),
    price_threshold=st.sampled_from(["0", "0.05", "0.10", "0.5"]).map(Decimal),
    baseline_window=st.integers(1, 6),
    blocked_alert_after=st.integers(1, 5),
    track_seller=st.sampled_from([None, TRACKED]),
)
any_observation = observations(INFORMATIVE + SILENT)


def feed(state: ListingState, sequence: list[Observation], policy: Policy) -> tuple[ListingState, list[list]]:
    per_step = []
    for index, observation in enumerate(sequence):
        state, events = detect(state, observation, policy=policy, now=START + timedelta(minutes=index))
        per_step.append(events)
    return state, per_step


@given(
    prefix=st.lists(any_observation, min_size=1, max_size=8).filter(
        lambda seq: any(o.outcome.says_something for o in seq)
    ),
    silent=st.lists(observations(SILENT), min_size=1, max_size=12),
    policy=policies,
)
def test_blocked_and_error_only_ever_raise_monitoring_blocked(prefix, silent, policy) -> None:
    before, _ = feed(ListingState(), prefix, policy)
    after, per_step = feed(before, silent, policy)
    raised = [event.kind for events in per_step for event in events]
    assert set(raised) <= {EventKind.MONITORING_BLOCKED}
    assert len(raised) <= 1
    # nothing the listing is judged on moved
    assert (after.status, after.pending, after.pending_count) == (before.status, before.pending, before.pending_count)
    assert (after.prices, after.shipping_fees, after.currency, after.seller, after.checks) == (
        before.prices, before.shipping_fees, before.currency, before.seller, before.checks
    )


@given(
    prefix=st.lists(any_observation, max_size=8),
    first=observations([Outcome.LISTED]).map(lambda o: replace(o, availability="InStock")),
    glitch=observations([Outcome.GONE, Outcome.OFFER_GONE]),
    last=observations([Outcome.LISTED]).map(lambda o: replace(o, availability="InStock")),
    noise=st.lists(observations(SILENT), max_size=3),
    policy=policies.filter(lambda p: p.confirmations >= 2),
)
def test_a_single_disappearance_between_two_listed_pages_never_alerts(
    prefix, first, glitch, last, noise, policy
) -> None:
    state, _ = feed(ListingState(), prefix, policy)
    state, per_step = feed(state, [first, *noise, glitch, *noise, last], policy)
    raised = {event.kind for events in per_step for event in events}
    assert not raised & {EventKind.DELISTED, EventKind.OFFER_GONE}
    assert state.status is Outcome.LISTED and state.pending is None


@given(
    prefix=st.lists(any_observation, max_size=8),
    unknown=st.lists(observations([Outcome.LISTED]).map(lambda o: replace(o, availability=None)), min_size=1,
                     max_size=4),
    policy=policies,
)
def test_a_live_page_of_unknown_stock_never_says_the_offer_came_back_or_went(prefix, unknown, policy) -> None:
    before, _ = feed(ListingState(), prefix, policy)
    after, per_step = feed(before, unknown, policy)
    raised = {event.kind for events in per_step for event in events}
    assert EventKind.UNAVAILABLE not in raised
    if before.status is Outcome.UNAVAILABLE:
        assert EventKind.RESTORED not in raised and after.status is Outcome.UNAVAILABLE


@given(sequence=st.lists(any_observation, min_size=1, max_size=12), policy=policies)
def test_detect_is_pure(sequence, policy) -> None:
    state = ListingState()
    for index, observation in enumerate(sequence):
        now = START + timedelta(days=index)
        saved = (copy.deepcopy(state), copy.deepcopy(observation), copy.deepcopy(policy), now)
        first = detect(state, observation, policy=policy, now=now)
        second = detect(state, observation, policy=policy, now=now)
        assert first == second
        assert (state, observation, policy, now) == saved
        state = first[0]


@given(
    price=amounts.filter(lambda p: p is not None),
    fee=amounts,
    currency=st.sampled_from(["EUR", "USD"]),
    outcomes=st.lists(st.sampled_from(INFORMATIVE + SILENT), min_size=1, max_size=15),
    policy=policies,
)
def test_an_unchanged_price_never_fires_a_price_event(price, fee, currency, outcomes, policy) -> None:
    sequence = [
        Observation(outcome, price=price, shipping_fee=fee, currency=currency) for outcome in outcomes
    ]
    _, per_step = feed(ListingState(), sequence, policy)
    assert not {event.kind for events in per_step for event in events} & PRICE_EVENTS


@given(sequence=st.lists(any_observation, max_size=15), policy=policies)
def test_status_is_only_ever_a_confirmed_informative_outcome(sequence, policy) -> None:
    state, per_step = feed(ListingState(), sequence, policy)
    assert state.status in {None, *INFORMATIVE}
    assert state.checks == sum(o.outcome.says_something for o in sequence)
    first_informative = next((i for i, o in enumerate(sequence) if o.outcome.says_something), None)
    if first_informative is not None:
        assert all(e.kind is EventKind.MONITORING_BLOCKED for e in per_step[first_informative])
