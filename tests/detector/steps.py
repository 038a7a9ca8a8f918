"""A compact notation for observation sequences, shared by the detector's tests.

A step is one token: an outcome letter (L listed and in stock, K listed with its stock unknown,
U unavailable, O offer_gone, G gone, B blocked, E error), then optionally a price, "/fee", "@CUR" and "#seller":
"L19.99/4.99@EUR#me" is a listed page at 19.99 EUR with 4.99 shipping, sold by "me".
A price without a currency is in EUR. Expected events are written the same way, one token per
step: "-" for none, kinds joined by "+" otherwise ("restored+price_change").
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from detector import Event, ListingState, Observation, Outcome, Policy, detect

LETTERS = {
    "L": Outcome.LISTED, "K": Outcome.LISTED, "U": Outcome.UNAVAILABLE, "O": Outcome.OFFER_GONE,
    "G": Outcome.GONE, "B": Outcome.BLOCKED, "E": Outcome.ERROR,
}
SELLERS = {"me": "Boutique Éloïse SARL", "me2": "  boutique   ELOISE ", "other": "MegaStore", "third": "Autre Vendeur"}
TRACKED = "Boutique Eloïse"
TOKEN = re.compile(r"([LKUOGBE])([\d.]+)?(?:/([\d.]+))?(?:@([A-Z]{3}))?(?:#(\w+))?")
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def observation(token: str) -> Observation:
    match = TOKEN.fullmatch(token)
    if match is None:
        raise ValueError(f"bad step {token!r}")
    letter, price, fee, currency, seller = match.groups()
    priced = price is not None or fee is not None
    return Observation(
        outcome=LETTERS[letter],
        price=Decimal(price) if price else None,
        shipping_fee=Decimal(fee) if fee else None,
        currency=currency or ("EUR" if priced else None),
        seller=SELLERS[seller] if seller else None,
        availability={"L": "InStock", "U": "OutOfStock"}.get(letter),
        reasons=(f"step {token}",),
    )


def run(
    steps: str, policy: Policy = Policy(), state: ListingState = ListingState()
) -> tuple[ListingState, list[list[Event]]]:
    """Feed every step to detect(); the final state and the events of each step."""
    per_step = []
    for index, token in enumerate(steps.split()):
        state, events = detect(state, observation(token), policy=policy, now=START + timedelta(hours=index))
        per_step.append(events)
    return state, per_step


def kinds(per_step: list[list[Event]]) -> str:
    return " ".join("+".join(event.kind.value for event in events) or "-" for events in per_step)
