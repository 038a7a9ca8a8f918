"""A search watch's own drop threshold reaches the detector (issue 27): the recorder builds the policy from the
watch row, so a rank 6 positions worse is a drop for a watch with threshold 3 and not with the default (10)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.search_recorder import watch_policy
from detector.search_visibility import SearchCheck, SearchPolicy, SearchState, detect_search
from store.models_search import SearchWatch

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def kinds_after(policy: SearchPolicy, ranks: list[int]) -> list[str]:
    state, seen = SearchState(), []
    for n, rank in enumerate(ranks):
        state, events = detect_search(state, SearchCheck(complete=True, position=rank), policy=policy,
                                      now=T0 + timedelta(days=n))
        seen += [e.kind.value for e in events]
    return seen


def test_the_watchs_threshold_decides_what_a_drop_is():
    ranks = [4, 4, 4, 10, 10, 10]  # 6 positions worse than the median, three checks in a row
    own = watch_policy(SearchWatch(pages=3, drop_threshold=3), confirmations=3)
    default = watch_policy(SearchWatch(pages=3, drop_threshold=None), confirmations=3)
    assert (own.rank_drop, own.pages, own.sustained) == (3, 3, 3)
    assert default.rank_drop == SearchPolicy().rank_drop == 10
    assert kinds_after(own, ranks) == ["search_dropped"]
    assert kinds_after(default, ranks) == []
    assert kinds_after(watch_policy(SearchWatch(pages=2, drop_threshold=0), confirmations=3), [4, 4, 5, 5, 5]) == [
        "search_dropped"]  # 0: any worse rank, sustained, is a drop
