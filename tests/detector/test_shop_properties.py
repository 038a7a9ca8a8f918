"""detector.shop's promises over any sequence of walks (hypothesis)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st

from detector.shop import SeenOffer, ShopPolicy, ShopState, Walk, detect_shop

T0 = datetime(2026, 3, 2, tzinfo=UTC)
IDS = st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8)
WALKS = st.lists(st.tuples(st.booleans(), st.booleans(), IDS), min_size=1, max_size=12)


def walk_of(complete: bool, gone: bool, ids: list[str]) -> Walk:
    offers = tuple(SeenOffer(i, n) for n, i in enumerate(ids, 1))
    return Walk(complete=complete, offers=offers if complete else offers[:2], page_sizes=(len(ids),),
                reasons=() if complete else ("page 2: blocked",), gone=gone and complete)


@settings(max_examples=300, deadline=None)
@given(WALKS, st.integers(1, 3))
def test_an_offer_is_missing_only_after_n_complete_walks_without_it(walks, n):
    state = ShopState()
    history: list[set[str] | None] = []  # offers of each counted walk
    for step, (complete, gone, ids) in enumerate(walks):
        walk = walk_of(complete, gone, ids)
        before = state
        state, found = detect_shop(state, walk, policy=ShopPolicy(confirmations=n), now=T0 + timedelta(hours=step))
        if not found.counted:
            assert found.missing == ()  # an incomplete, gone or emptied walk never makes an offer missing
            assert {o.id: o.misses for o in state.offers} == {o.id: o.misses for o in before.offers}
            continue
        history.append(set(ids))
        for offer in found.missing:
            assert len(history) >= n + 1
            assert all(offer.id not in seen for seen in history[-n:])  # absent from the last n counted walks
            assert any(offer.id in seen for seen in history[:-n])  # and seen before them
