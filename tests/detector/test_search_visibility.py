"""Search visibility rules: a table of check sequences and their events, and the promises as properties
(a wall or a partial page never moves anything; a single glitch never alerts; nothing drops that was never seen)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.search_visibility import (
    SearchCheck,
    SearchEventKind,
    SearchPolicy,
    SearchState,
    Visibility,
    detect_search,
)

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = SearchPolicy(pages=2, rank_drop=10, sustained=3, baseline_size=7, baseline_min=2)


def step(token: str) -> SearchCheck:
    """`5`: found at organic rank 5; `A`: absent; `S`: only a paid placement; `I`: incomplete (a wall, a partial
    walk); for id queries `F`: found, `M`: missing while the page is listed, `U`: missing, page not known live."""
    if token.isdigit():
        return SearchCheck(complete=True, position=int(token))
    return {
        "A": SearchCheck(complete=True),
        "S": SearchCheck(complete=True, sponsored=True),
        "I": SearchCheck(complete=False, reasons=("blocked: DataDome captcha",)),
        "F": SearchCheck(complete=True, position=1, id_query=True),
        "FS": SearchCheck(complete=True, sponsored=True, id_query=True),
        "M": SearchCheck(complete=True, id_query=True, listing_live=True),
        "U": SearchCheck(complete=True, id_query=True, listing_live=None),
        "MI": SearchCheck(complete=False, id_query=True, listing_live=True),
    }[token]


def run(tokens: list[str], policy: SearchPolicy = POLICY):
    state, found = SearchState(), []
    for index, token in enumerate(tokens):
        state, events = detect_search(state, step(token), policy=policy, now=START + timedelta(days=index))
        found += [(index, event) for event in events]
    return state, found


TABLE = [
    # (name, checks, [(index, kind, before, after)])
    ("absent three times after a baseline", "5 6 A A A", [(4, "search_dropped", "#5.5", "absent")]),
    ("two absences then found again is no drop", "5 6 A A 5 A A", []),
    ("walls in between neither break nor count", "5 6 A I A I A", [(6, "search_dropped", "#5.5", "absent")]),
    ("rank worse by more than the threshold", "3 3 20 20 20", [(4, "search_dropped", "#3", "#20")]),
    ("rank worse by exactly the threshold is no drop", "3 3 13 13 13", []),
    ("a paid placement is no organic visibility", "3 3 S S S", [(4, "search_dropped", "#3", "absent")]),
    ("never found: nothing to drop from", "A A A A A", []),
    ("one sighting is not yet a baseline", "3 A A A A", []),
    ("a drop is reported once", "3 3 A A A A A A", [(4, "search_dropped", "#3", "absent")]),
    ("found again, then a second drop", "3 3 A A A 3 A A A",
     [(4, "search_dropped", "#3", "absent"), (8, "search_dropped", "#3", "absent")]),
    ("a slow slide is judged against the baseline it left", "2 2 2 12 13 14 15",
     [(6, "search_dropped", "#2", "#15")]),
    ("the id no longer finds the offer while its page is listed", "F M M M",
     [(3, "not_indexed", "indexed", "not found by its id")]),
    ("an id never found says nothing", "M M M M", []),
    ("a page not known live says nothing", "F U U U U", []),
    ("incomplete id checks are no answer", "F M MI M MI M", [(5, "not_indexed", "indexed", "not found by its id")]),
    ("found again by its id resets", "F M M F M M", []),
    ("an ad for the id proves it indexed", "F M M FS M M", []),
]


@pytest.mark.parametrize("name, checks, expected", TABLE, ids=[row[0] for row in TABLE])
def test_sequences(name, checks, expected):
    _, found = run(checks.split())
    assert [(i, e.kind.value, e.before, e.after) for i, e in found] == expected
    for index, event in found:
        assert event.detected_at == START + timedelta(days=index)
        assert event.details["checks"] == str(POLICY.sustained)


def test_the_event_says_what_was_read():
    _, [(_, event)] = run("3 3 S S S".split())
    assert event.details["sponsored_only"] == "true"
    assert event.details["pages"] == "2" and event.details["baseline_median"] == "3"


def test_state_after_a_drop_and_a_recovery():
    state, _ = run("3 4 A A A".split())
    assert state.status is Visibility.DROPPED and state.positions == (3, 4) and state.streak == 3
    state, _ = run("3 4 A A A 5".split())
    assert state.status is Visibility.VISIBLE and state.positions == (3, 4, 5) and state.streak == 0


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        detect_search(SearchState(), step("3"), policy=POLICY, now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="sustained"):
        detect_search(SearchState(), step("3"), policy=replace(POLICY, sustained=0), now=START)
    with pytest.raises(ValueError, match="baseline_min"):
        detect_search(SearchState(), step("3"), policy=replace(POLICY, baseline_min=9), now=START)


# -- properties ---------------------------------------------------------------------------------
COMPLETE = st.one_of(st.integers(1, 120).map(str), st.sampled_from(["A", "S"]))
ID_COMPLETE = st.sampled_from(["F", "FS", "M", "U"])
keyword_runs = st.lists(st.one_of(COMPLETE, st.just("I")), max_size=30)
id_runs = st.lists(st.sampled_from(["F", "FS", "M", "U", "MI"]), max_size=30)
policies = st.builds(SearchPolicy, pages=st.integers(1, 3), rank_drop=st.integers(0, 20),
                     sustained=st.integers(1, 4), baseline_size=st.integers(3, 8), baseline_min=st.integers(1, 3))


@given(checks=st.one_of(keyword_runs, id_runs), policy=policies)
def test_an_incomplete_check_never_moves_anything(checks, policy):
    state = SearchState()
    for index, token in enumerate(checks):
        before = state
        state, events = detect_search(state, step(token), policy=policy, now=START + timedelta(hours=index))
        if not step(token).complete:
            assert state is before and events == []


@given(checks=st.one_of(keyword_runs, id_runs), policy=policies, data=st.data())
def test_walls_anywhere_change_no_event(checks, policy, data):
    """Taking the incomplete checks out of a sequence, or adding more anywhere, gives the same events."""
    clean = [t for t in checks if step(t).complete]
    noisy = list(clean)
    for _ in range(data.draw(st.integers(0, 5))):
        noisy.insert(data.draw(st.integers(0, len(noisy))), data.draw(st.sampled_from(["I", "MI"])))
    kinds = lambda tokens: [e.kind for _, e in run(tokens, policy)[1]]  # noqa: E731
    assert kinds(checks) == kinds(clean) == kinds(noisy)


@given(rank=st.integers(1, 40), seen=st.integers(1, 6),
       glitches=st.lists(st.one_of(st.sampled_from(["A", "S"]), st.integers(0, 160)), max_size=10),
       policy=policies)
def test_a_single_glitch_never_alerts(rank, seen, glitches, policy):
    """Any absence or worse rank followed by the usual rank, as often as you like: no event when it takes two."""
    policy = replace(policy, sustained=max(2, policy.sustained))
    tokens = [str(rank)] * seen
    for glitch in glitches:
        tokens += [glitch if isinstance(glitch, str) else str(rank + 1 + glitch), str(rank)]
    assert run(tokens, policy)[1] == []


@given(checks=st.lists(st.sampled_from(["A", "S", "I", "M", "U", "MI"]), max_size=30), policy=policies)
def test_nothing_drops_that_was_never_found(checks, policy):
    assert run(checks, policy)[1] == []


@given(checks=keyword_runs, policy=policies)
def test_each_drop_is_reported_once_until_the_offer_is_found_normally_again(checks, policy):
    state, found = SearchState(), []
    for index, token in enumerate(checks):
        was = state.status
        state, events = detect_search(state, step(token), policy=policy, now=START + timedelta(hours=index))
        if events:
            assert was is not Visibility.DROPPED and state.status is Visibility.DROPPED
            assert all(e.kind is SearchEventKind.SEARCH_DROPPED for e in events) and len(events) == 1
