"""Table-driven tests of detect(): sequences of observations -> the events of each step."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from detector import EventKind, ListingState, Outcome, Policy, detect
from tests.detector.steps import START, TRACKED, kinds, observation, run

STATUS_CASES = [
    # the baseline check never alerts, whatever it saw
    ("L", "-"),
    ("G", "-"),
    ("O", "-"),
    ("U", "-"),
    ("G G", "- -"),
    ("G L", "- restored"),
    ("U L", "- restored"),
    ("B L G G", "- - - delisted"),
    # a single glitch between two listed pages says nothing
    ("L G L", "- - -"),
    ("L O L", "- - -"),
    ("L G L G L", "- - - - -"),
    # two consecutive gone confirm, once
    ("L G G", "- - delisted"),
    ("L G G G G", "- - delisted - -"),
    ("L O O", "- - offer_gone"),
    ("L O O O", "- - offer_gone -"),
    # a run of one outcome must be of that outcome
    ("L G O L", "- - - -"),
    ("L G O O", "- - - offer_gone"),
    ("L O G G", "- - - delisted"),
    # moves between the two disappearances are confirmed too
    ("L G G O O", "- - delisted - offer_gone"),
    ("L G G O G", "- - delisted - -"),
    ("L O O G G", "- - offer_gone - delisted"),
    # unavailable is immediate and clears a pending disappearance
    ("L U", "- unavailable"),
    ("L U U", "- unavailable -"),
    ("L G U G", "- - unavailable -"),
    ("L G U G G", "- - unavailable - delisted"),
    ("L G G U", "- - delisted unavailable"),
    ("U G G", "- - delisted"),
    # back to listed is restored, immediately
    ("L U L", "- unavailable restored"),
    ("L G G L", "- - delisted restored"),
    ("L O O L", "- - offer_gone restored"),
    ("L G G L L", "- - delisted restored -"),
    # blocked and error are neutral: they neither confirm nor break a run
    ("L G B G", "- - - delisted"),
    ("L G E B G", "- - - - delisted"),
    ("L O B O", "- - - offer_gone"),
    ("L G B L", "- - - -"),
    ("L B L", "- - -"),
    ("L B B U", "- - - unavailable"),
    ("L U B L", "- unavailable - restored"),
    ("G B L", "- - restored"),
    # a live page that states no stock (K): never "restored" from unavailable, never "unavailable" either
    ("K", "-"),
    ("L K", "- -"),
    ("L U K", "- unavailable -"),
    ("L U K K L", "- unavailable - - restored"),
    ("L U K U", "- unavailable - -"),
    ("L G K G", "- - - -"),
    ("L G G K", "- - delisted restored"),
    ("L O O K", "- - offer_gone restored"),
    ("K U K", "- unavailable -"),
]


@pytest.mark.parametrize(("steps", "expected"), STATUS_CASES)
def test_status_events(steps: str, expected: str) -> None:
    assert kinds(run(steps)[1]) == expected


@pytest.mark.parametrize(
    ("confirmations", "steps", "expected"),
    [
        (1, "L G", "- delisted"),
        (1, "L O", "- offer_gone"),
        (1, "L O G", "- offer_gone delisted"),
        (3, "L G G", "- - -"),
        (3, "L G G G", "- - - delisted"),
        (3, "L G G L G G G", "- - - - - - delisted"),
        (3, "L G B G E G", "- - - - - delisted"),
        (3, "L O O O", "- - - offer_gone"),
    ],
)
def test_confirmations_policy(confirmations: int, steps: str, expected: str) -> None:
    assert kinds(run(steps, Policy(confirmations=confirmations))[1]) == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("B B", "- -"),
        ("B B B", "- - monitoring_blocked"),
        ("L B B B B B B", "- - - monitoring_blocked - - -"),
        ("L B E B", "- - - monitoring_blocked"),
        ("E E E", "- - monitoring_blocked"),
        # an informative page ends the streak; a new streak alerts again
        ("L B B L B B", "- - - - - -"),
        ("L B B B L B B B", "- - - monitoring_blocked - - - monitoring_blocked"),
        ("L B B B G B", "- - - monitoring_blocked - -"),
        # the streak does not disturb a pending confirmation
        ("L G B B B G", "- - - - monitoring_blocked delisted"),
    ],
)
def test_blocked_streak(steps: str, expected: str) -> None:
    assert kinds(run(steps, Policy(blocked_alert_after=3))[1]) == expected


def test_blocked_leaves_status_and_pending_alone() -> None:
    state, _ = run("L G")
    after, events = run("B E B E B E B E", state=state)
    assert events[-1] == []
    assert (after.status, after.pending, after.pending_count) == (Outcome.LISTED, Outcome.GONE, 1)
    assert after.blocked_streak == 8 and after.blocked_alerted
    assert after.checks == state.checks


IMMEDIATE = Policy(revert_is_glitch=False)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # one jump, one event, however long the median takes to catch up
        ("L10 L12.5 L12.5 L12.5 L12.5", "- price_change - - -"),
        ("L100 L80 L80 L80", "- price_change - -"),
        ("L100 L100 L100", "- - -"),
        # the threshold is strict: exactly 10 % is not abrupt
        ("L100 L110", "- -"),
        ("L100 L110.01", "- price_change"),
        # 5 % steps: each is small, but the median of the window sees the drift
        ("L100 L105 L110.25 L115.76 L121.55 L127.63", "- - - price_change - -"),
        # a single odd reading moves the median little
        ("L100 L100 L100 L100 L109 L100", "- - - - - -"),
        # prices seen on non-listed pages are ignored
        ("L100 U50 L100", "- unavailable restored"),
        ("L100 G200 G200 L100", "- - delisted restored"),
        # a jump while unlisted is reported with the restoration, against the old baseline
        ("L100 G G L130", "- - delisted restored+price_change"),
        ("L100 U L100", "- unavailable restored"),
        # a missing price leaves the baseline as it was
        ("L100 L L130", "- - price_change"),
        # a currency change restarts the baseline and says nothing
        ("L100@EUR L150@USD L150@USD", "- - -"),
        ("L100@EUR L100@USD L130@USD", "- - price_change"),
        ("L100@EUR L100 L130@EUR", "- - price_change"),
        # shipping fees follow the same rule, and free -> paid is always abrupt
        ("L10/5 L10/5.20", "- -"),
        ("L10/5 L10/6", "- shipping_fee_change"),
        ("L10/5 L10/0", "- shipping_fee_change"),
        ("L10/0 L10/4.99 L10/4.99 L10/4.99", "- shipping_fee_change - -"),
        ("L10/0 L10/0", "- -"),
        ("L10/5 L13/6", "- price_change+shipping_fee_change"),
    ],
)
def test_price_and_fee_events(steps: str, expected: str) -> None:
    # reported at the first sighting; the default (a jump must persist) is in test_abrupt_table.py
    assert kinds(run(steps, IMMEDIATE)[1]) == expected


def test_free_to_paid_ignores_the_threshold() -> None:
    lax = Policy(price_threshold=Decimal("100"), revert_is_glitch=False)
    assert kinds(run("L10/0 L10/0.50 L10/5", lax)[1]) == "- shipping_fee_change -"


def test_baseline_window_size() -> None:
    # With a window of 2 the median forgets the 100s quickly; with 5 it does not.
    steps = "L100 L100 L100 L108 L108 L116"
    assert kinds(run(steps, Policy(baseline_window=2, revert_is_glitch=False))[1]) == "- - - - - -"
    assert kinds(run(steps, Policy(baseline_window=5, revert_is_glitch=False))[1]) == "- - - - - price_change"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("L#me L#other L#other", "- seller_change -"),
        ("L#me L#other L#me L#third", "- seller_change - seller_change"),
        ("L#me2 L#me L#me", "- - -"),
        ("L#other L#third", "- -"),
        ("L#me L L#other", "- - seller_change"),
        ("L#me G#other L#me", "- - -"),
        ("L#me U#other L#other", "- unavailable restored+seller_change"),
        ("L#me B L#other", "- - seller_change"),
    ],
)
def test_seller_change(steps: str, expected: str) -> None:
    assert kinds(run(steps, Policy(track_seller=TRACKED))[1]) == expected


def test_no_seller_change_without_a_tracked_seller() -> None:
    assert kinds(run("L#me L#other")[1]) == "- -"
    assert kinds(run("L#me L#other", Policy(track_seller="   "))[1]) == "- -"


def test_state_event_contents() -> None:
    _, per_step = run("L G G")
    (event,) = per_step[2]
    assert event.kind is EventKind.DELISTED
    assert (event.before, event.after) == ("listed", "gone")
    assert event.details == {"reasons": "step G", "confirmations": "2"}
    assert event.detected_at == START + timedelta(hours=2)


def test_price_event_contents() -> None:
    _, per_step = run("L19.99@EUR L20.01@EUR L24.99@EUR", IMMEDIATE)
    (event,) = per_step[2]
    assert event.kind is EventKind.PRICE_CHANGE
    assert (event.before, event.after) == ("20.01", "24.99")
    assert event.details == {"baseline": "20.00", "currency": "EUR", "change_pct": "+25.0", "rule": "relative>10%",
                             "baseline_kind": "median_n(5)"}


def test_fee_event_contents() -> None:
    _, per_step = run("L10/0@GBP L10/3.50@GBP", IMMEDIATE)
    (event,) = per_step[1]
    assert event.kind is EventKind.SHIPPING_FEE_CHANGE
    assert (event.before, event.after) == ("0", "3.50")
    assert event.details == {"baseline": "0", "currency": "GBP", "change_pct": "+inf", "rule": "free_to_paid",
                             "baseline_kind": "median_n(5)"}
    assert Decimal(event.details["change_pct"]).is_infinite()


def test_price_drop_contents() -> None:
    _, per_step = run("L100 L80", Policy(price_threshold=Decimal("0.125"), revert_is_glitch=False))
    (event,) = per_step[1]
    assert event.details["change_pct"] == "-20.0"
    assert event.details["rule"] == "relative>12.5%"


def test_seller_event_contents() -> None:
    _, per_step = run("L#me L#other", Policy(track_seller=TRACKED))
    (event,) = per_step[1]
    assert (event.before, event.after) == ("Boutique Éloïse SARL", "MegaStore")


def test_monitoring_blocked_contents() -> None:
    _, per_step = run("L B E", Policy(blocked_alert_after=2))
    (event,) = per_step[2]
    assert event.kind is EventKind.MONITORING_BLOCKED
    assert event.details == {"streak": "2", "outcome": "error", "status": "listed", "reasons": "step E"}


def test_checks_count_informative_observations_only() -> None:
    state, _ = run("B L B G E U L")
    assert state.checks == 4
    assert state.blocked_streak == 0 and not state.blocked_alerted


def test_baseline_state() -> None:
    state, _ = run("L19.99/4.99@EUR#me")
    assert state.status is Outcome.LISTED
    assert state.prices == (Decimal("19.99"),) and state.shipping_fees == (Decimal("4.99"),)
    assert (state.currency, state.seller) == ("EUR", "Boutique Éloïse SARL")


def test_window_is_capped_and_reset_after_a_jump() -> None:
    state, _ = run("L1 L1 L1 L1 L1 L1 L1", Policy(baseline_window=3))
    assert state.prices == (Decimal(1),) * 3
    state, _ = run("L1 L1 L2", IMMEDIATE)
    assert state.prices == (Decimal(2),)


@pytest.mark.parametrize(
    "policy",
    [
        Policy(confirmations=0),
        Policy(baseline_window=0),
        Policy(blocked_alert_after=0),
        Policy(price_threshold=Decimal("-1")),
    ],
)
def test_rejects_a_nonsense_policy(policy: Policy) -> None:
    with pytest.raises(ValueError):
        detect(ListingState(), observation("L"), policy=policy, now=START)


def test_rejects_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        detect(ListingState(), observation("L"), policy=Policy(), now=datetime(2025, 1, 1))
