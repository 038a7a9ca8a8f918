"""detector.shop, table by table: incomplete walks never make an offer missing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from detector.model import EventKind
from detector.shop import (ShopPolicy, ShopState, SeenOffer, Walk, back_in_view, detect_shop, missing_event,
                           state_from_dict, state_to_dict)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ShopPolicy(confirmations=2)


def offers(*ids: str) -> tuple[SeenOffer, ...]:
    return tuple(SeenOffer(i, n, f"Article {i}", Decimal("10.00"), "EUR", f"https://m.example/p/{i}")
                 for n, i in enumerate(ids, 1))


def full(*ids: str, sizes: tuple[int, ...] | None = None) -> Walk:
    return Walk(complete=True, offers=offers(*ids), page_sizes=sizes or (len(ids),))


def run(walks: list[Walk], policy: ShopPolicy = POLICY):
    state, found = ShopState(), []
    for n, walk in enumerate(walks):
        state, findings = detect_shop(state, walk, policy=policy, now=T0 + timedelta(hours=n))
        found.append(findings)
    return state, found


INCOMPLETE = [
    Walk(complete=False, reasons=("page 1: a bot wall",)),
    Walk(complete=False, offers=offers("a"), page_sizes=(1,), reasons=("page 2 of 3: HTTP 503",)),
    Walk(complete=False, reasons=("unknown layout",)),
]


@pytest.mark.parametrize("bad", INCOMPLETE)
def test_incomplete_walks_never_count_an_offer_missing(bad):
    state, found = run([full("a", "b", "c"), bad, bad, bad, bad])
    assert all(not f.missing and not f.events for f in found)
    assert all(o.misses == 0 for o in state.offers)
    assert found[1].incomplete and not found[1].counted


def test_missing_only_after_n_consecutive_complete_walks():
    _, found = run([full("a", "b"), full("a"), INCOMPLETE[0], full("a")])
    assert [len(f.missing) for f in found] == [0, 0, 0, 1]
    assert found[3].missing[0].id == "b" and found[3].missing[0].misses == 2


def test_a_reappearance_resets_the_count():
    _, found = run([full("a", "b"), full("a"), full("a", "b"), full("a"), full("a", "b")])
    assert not any(f.missing for f in found)


def test_a_missing_offer_is_reported_once_until_it_comes_back():
    _, found = run([full("a", "b"), full("a"), full("a"), full("a"), full("a", "b"), full("a"), full("a")])
    assert [len(f.missing) for f in found] == [0, 0, 1, 0, 0, 0, 1]


def test_unreadable_product_page_is_looked_at_again():
    state, found = run([full("a", "b"), full("a"), full("a")])
    assert found[2].missing
    state = back_in_view(state, "b")
    state, again = detect_shop(state, full("a"), policy=POLICY, now=T0 + timedelta(days=1))
    assert [o.id for o in again.missing] == ["b"]


def test_a_short_page_before_the_last_makes_the_walk_incomplete():
    big = [str(n) for n in range(50)]
    first = Walk(complete=True, offers=offers(*big), page_sizes=(24, 24, 2))
    cut = Walk(complete=True, offers=offers(*big[:24], *big[48:]), page_sizes=(24, 3, 2))
    _, found = run([first, cut, cut, cut])
    assert not any(f.missing for f in found)
    assert "page 2 listed 3 offer(s)" in found[1].incomplete[0]


def test_new_offers_are_news_only_when_opted_in_and_after_the_baseline():
    _, quiet = run([full("a"), full("a", "b")])
    assert quiet[1].new and not quiet[1].events
    _, loud = run([full("a"), full("a", "b")], ShopPolicy(register_new=True))
    assert not loud[0].events and [e.kind for e in loud[1].events] == [EventKind.SHOP_OFFER_NEW]
    assert loud[1].events[0].details["offer_id"] == "b"


@pytest.mark.parametrize("end", [Walk(complete=True, gone=True, reasons=("HTTP 404",)),
                                 Walk(complete=True, offers=(), page_sizes=(0,))])
def test_gone_or_emptied_is_confirmed_once_with_the_p2b_date(end):
    _, found = run([full("a", "b"), end, end, end])
    kinds = [[e.kind for e in f.events] for f in found]
    assert kinds == [[], [], [EventKind.SHOP_GONE], []]
    event = found[2].events[0]
    assert event.details["gone_since"] == (T0 + timedelta(hours=1)).isoformat()
    assert event.details["notice_due_by"] == "2026-01-31"
    assert not any(f.missing for f in found)


def test_a_first_empty_walk_is_a_baseline_not_a_closure():
    _, found = run([full(), full()])
    assert not any(f.events for f in found)


def test_state_round_trips_through_json():
    state, _ = run([full("a", "b"), full("a")])
    assert state_from_dict(state_to_dict(state)) == state


def test_missing_event_says_hidden():
    state, found = run([full("a", "b"), full("a"), full("a")])
    event = missing_event(found[2].missing[0], now=T0, hidden=True, product_outcome="listed", confirmations=2)
    assert event.kind is EventKind.SHOP_OFFER_MISSING and event.details["hidden"] == "true"
    assert event.after == "hidden"
