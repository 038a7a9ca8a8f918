"""The diff engine: (previous state, one observation) -> (next state, events).

Pure: no I/O, no clock (the caller passes `now`), inputs are frozen and never mutated. The rules
are those of DESIGN.md, "Listing state and events":

- the first observation that says something is the baseline and raises no event;
- blocked and error observations never move the status; a streak of them raises one
  monitoring_blocked for the operator;
- gone and offer_gone need `policy.confirmations` consecutive sightings, the other moves are
  immediate;
- prices, shipping fees and the buy-box seller are followed on listed observations only.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from detector import baseline, seller
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
        return set_baseline(state, observation), []
    state, events = move_status(state, observation, policy, now)
    if observation.outcome is Outcome.LISTED:
        state, more = follow_offer(state, observation, policy, now)
        events += more
    return state, events


def check_inputs(policy: Policy, now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("detect() needs a timezone-aware `now`")
    if policy.confirmations < 1 or policy.baseline_window < 1 or policy.blocked_alert_after < 1:
        raise ValueError(f"confirmations, baseline_window and blocked_alert_after must be >= 1: {policy}")
    if policy.price_threshold < 0:
        raise ValueError(f"price_threshold must not be negative: {policy.price_threshold}")


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
def set_baseline(state: ListingState, observation: Observation) -> ListingState:
    state = replace(state, status=observation.outcome, pending=None, pending_count=0)
    if observation.outcome is not Outcome.LISTED:
        return state
    return replace(
        state,
        prices=() if observation.price is None else (observation.price,),
        shipping_fees=() if observation.shipping_fee is None else (observation.shipping_fee,),
        currency=observation.currency,
        seller=observation.seller or state.seller,
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
        state = replace(
            state,
            currency=observation.currency,
            prices=() if observation.price is None else (observation.price,),
            shipping_fees=() if observation.shipping_fee is None else (observation.shipping_fee,),
        )
    else:
        currency = state.currency or observation.currency
        state = replace(state, currency=currency)
        if observation.price is not None:
            prices, jump = baseline.track(
                state.prices, observation.price,
                size=policy.baseline_window, threshold=policy.price_threshold,
            )
            state = replace(state, prices=prices)
            if jump:
                events.append(jump_event(EventKind.PRICE_CHANGE, jump, currency, now))
        if observation.shipping_fee is not None:
            fees, jump = baseline.track(
                state.shipping_fees, observation.shipping_fee,
                size=policy.baseline_window, threshold=policy.price_threshold, free_to_paid=True,
            )
            state = replace(state, shipping_fees=fees)
            if jump:
                events.append(jump_event(EventKind.SHIPPING_FEE_CHANGE, jump, currency, now))
    if observation.seller and observation.seller.strip():
        if seller.moved_away(policy.track_seller, state.seller, observation.seller):
            events.append(Event(EventKind.SELLER_CHANGE, now, before=state.seller, after=observation.seller))
        state = replace(state, seller=observation.seller)
    return state, events


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
        },
    )
