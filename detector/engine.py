"""The diff engine: (previous state, one observation) -> (next state, events).

Pure: no I/O, no clock (the caller passes `now`), inputs are frozen and never mutated. The rules
are those of DESIGN.md, "Listing state and events":

- the first observation that says something is the baseline and raises no event;
- blocked and error observations never move the status; a streak of them raises one
  monitoring_blocked for the operator;
- gone and offer_gone need `policy.confirmations` consecutive sightings, the other moves are
  immediate;
- a listed page whose availability is unknown (no stock stated: `availability` None) confirms the page is
  live but never moves an unavailable listing back to listed;
- prices, shipping fees and the buy-box seller are followed on listed observations only; an abrupt
  change is judged against the policy's baseline and, by default, reported only once seen twice;
- a fee page's schedule (observation.fee_schedule) is diffed against the last one: the first is the
  baseline, any later change is one fee_schedule_change.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from detector import baseline, fees, seller
from detector.model import Event, EventKind, ListingState, Observation, Outcome, Policy

# Moves that wait for confirmation, and the event each one raises once confirmed.
CONFIRMED_MOVES = {Outcome.GONE: EventKind.DELISTED, Outcome.OFFER_GONE: EventKind.OFFER_GONE}


def detect(
    state: ListingState,
    observation: Observation,
    *,
    policy: Policy,
    now: datetime,
) -> tuple[ListingState, list[Event]]:
    """The listing's next state and the events this observation raises (often none)."""
    check_inputs(policy, now)
    if not observation.outcome.says_something:
        return uninformative(state, observation, policy, now)
    state = replace(state, blocked_streak=0, blocked_alerted=False, checks=state.checks + 1)
    if state.status is None:
        return set_baseline(state, observation, now), []
    state, events = move_status(state, observation, policy, now)
    if observation.outcome is Outcome.LISTED:
        state, more = follow_offer(state, observation, policy, now)
        events += more
        state, more = follow_schedule(state, observation, policy, now)
        events += more
    return state, events


def check_inputs(policy: Policy, now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("detect() needs a timezone-aware `now`")
    if policy.confirmations < 1 or policy.baseline_window < 1 or policy.blocked_alert_after < 1:
        raise ValueError(f"confirmations, baseline_window and blocked_alert_after must be >= 1: {policy}")
    if policy.price_threshold < 0:
        raise ValueError(f"price_threshold must not be negative: {policy.price_threshold}")
    if policy.absolute_threshold is not None and policy.absolute_threshold < 0:
        raise ValueError(f"absolute_threshold must not be negative: {policy.absolute_threshold}")
    if policy.baseline not in baseline.BaselineKind.__members__.values():
        raise ValueError(f"unknown baseline {policy.baseline!r}: one of {', '.join(baseline.BaselineKind)}")


# -- blocked / error ---------------------------------------------------------------------------
def uninformative(
    state: ListingState, observation: Observation, policy: Policy, now: datetime
) -> tuple[ListingState, list[Event]]:
    """Count the streak; status, pending confirmation and baselines are left exactly as they were.

    Leaving `pending` untouched is deliberate: a bot wall between two "gone" pages says nothing
    either way, so gone, blocked, gone confirms (and listed, gone, blocked, listed never does).
    """
    streak = state.blocked_streak + 1
    alert = streak >= policy.blocked_alert_after and not state.blocked_alerted
    state = replace(state, blocked_streak=streak, blocked_alerted=state.blocked_alerted or alert)
    if not alert:
        return state, []
    details = {
        "streak": str(streak),
        "outcome": observation.outcome.value,
        "status": state.status.value if state.status else "unknown",
    }
    details.update(reasons_of(observation))
    return state, [Event(EventKind.MONITORING_BLOCKED, now, details=details)]


# -- baseline ----------------------------------------------------------------------------------
def set_baseline(state: ListingState, observation: Observation, now: datetime) -> ListingState:
    state = replace(state, status=observation.outcome, pending=None, pending_count=0)
    if observation.outcome is not Outcome.LISTED:
        return state
    return replace(
        fresh_series(state, observation, now),
        currency=observation.currency,
        seller=observation.seller or state.seller,
        fee_schedule=observation.fee_schedule or state.fee_schedule,
    )


def fresh_series(state: ListingState, observation: Observation, now: datetime) -> ListingState:
    """Baselines that start from this observation alone."""
    price, fee = observation.price, observation.shipping_fee
    return replace(
        state,
        prices=() if price is None else (price,), price_times=() if price is None else (now,),
        shipping_fees=() if fee is None else (fee,), shipping_fee_times=() if fee is None else (now,),
        pending_price=None, pending_shipping_fee=None,
    )


# -- status ------------------------------------------------------------------------------------
def move_status(
    state: ListingState, observation: Observation, policy: Policy, now: datetime
) -> tuple[ListingState, list[Event]]:
    outcome = observation.outcome
    settled = replace(state, pending=None, pending_count=0)
    if outcome == state.status:
        # Seeing the confirmed status again breaks any run of another outcome.
        return settled, []
    if outcome in CONFIRMED_MOVES:
        count = state.pending_count + 1 if state.pending == outcome else 1
        if count < policy.confirmations:
            return replace(state, pending=outcome, pending_count=count), []
        event = status_event(CONFIRMED_MOVES[outcome], state, observation, now, confirmations=str(count))
        return replace(settled, status=outcome), [event]
    if outcome is Outcome.LISTED and observation.availability is None and state.status is Outcome.UNAVAILABLE:
        # a live page that states no stock does not say the offer can be bought again: no "restored"
        # until the page says so (a false good news is still a false alert)
        return settled, []
    kind = EventKind.RESTORED if outcome is Outcome.LISTED else EventKind.UNAVAILABLE
    return replace(settled, status=outcome), [status_event(kind, state, observation, now)]


def status_event(
    kind: EventKind, state: ListingState, observation: Observation, now: datetime, **details: str
) -> Event:
    before = state.status.value if state.status else None
    details.update(reasons_of(observation))
    return Event(kind, now, before=before, after=observation.outcome.value, details=details)


def reasons_of(observation: Observation) -> dict[str, str]:
    return {"reasons": "; ".join(observation.reasons)} if observation.reasons else {}


# -- price, shipping fee, seller (listed observations only) ------------------------------------
def follow_offer(
    state: ListingState, observation: Observation, policy: Policy, now: datetime
) -> tuple[ListingState, list[Event]]:
    events: list[Event] = []
    if currency_changed(state.currency, observation.currency):
        # Amounts in two currencies cannot be compared: start a fresh baseline, say nothing.
        state = replace(fresh_series(state, observation, now), currency=observation.currency)
    else:
        currency = state.currency or observation.currency
        state = replace(state, currency=currency)
        if observation.price is not None:
            series, jump = baseline.follow(
                baseline.Series(state.prices, state.price_times, state.pending_price), observation.price,
                rules=rules_of(policy, free_to_paid=False), now=now,
            )
            state = replace(state, prices=series.values, price_times=series.times, pending_price=series.pending)
            if jump:
                events.append(jump_event(EventKind.PRICE_CHANGE, jump, currency, now))
        if observation.shipping_fee is not None:
            series, jump = baseline.follow(
                baseline.Series(state.shipping_fees, state.shipping_fee_times, state.pending_shipping_fee),
                observation.shipping_fee, rules=rules_of(policy, free_to_paid=True), now=now,
            )
            state = replace(state, shipping_fees=series.values, shipping_fee_times=series.times,
                            pending_shipping_fee=series.pending)
            if jump:
                events.append(jump_event(EventKind.SHIPPING_FEE_CHANGE, jump, currency, now))
    if observation.seller and observation.seller.strip():
        if seller.moved_away(policy.track_seller, state.seller, observation.seller):
            events.append(Event(EventKind.SELLER_CHANGE, now, before=state.seller, after=observation.seller))
        state = replace(state, seller=observation.seller)
    return state, events


def rules_of(policy: Policy, *, free_to_paid: bool) -> baseline.Rules:
    return baseline.Rules(
        relative=policy.price_threshold,
        absolute=policy.absolute_threshold,
        free_to_paid=free_to_paid,
        kind=baseline.BaselineKind(policy.baseline),
        size=policy.baseline_window,
        confirm=policy.revert_is_glitch,
    )


def follow_schedule(
    state: ListingState, observation: Observation, policy: Policy, now: datetime
) -> tuple[ListingState, list[Event]]:
    """The first schedule seen is the baseline; each later change is one event."""
    schedule = observation.fee_schedule
    if schedule is None:
        return state, []
    previous, state = state.fee_schedule, replace(state, fee_schedule=schedule)
    if previous is None:
        return state, []
    event = fees.schedule_event(previous, schedule, now=now, notice_days=policy.fee_notice_days)
    return state, [] if event is None else [event]


def currency_changed(known: str | None, seen: str | None) -> bool:
    """Only two known, different codes count: a page that omits its currency keeps the old one."""
    return bool(known and seen) and known.strip().upper() != seen.strip().upper()


def jump_event(kind: EventKind, jump: baseline.Jump, currency: str | None, now: datetime) -> Event:
    return Event(
        kind,
        now,
        before=str(jump.before),
        after=str(jump.after),
        details={
            "baseline": str(jump.baseline),
            "currency": currency or "",
            "change_pct": jump.change_pct,
            "rule": jump.rule,
            "baseline_kind": jump.baseline_kind,
        },
    )
