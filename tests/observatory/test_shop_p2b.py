"""P2B timelines of storefront events: dated by what the detector saw, walls saying nothing."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from observatory import p2b

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def snap(seq: int, hours: int, outcome: str):
    return SimpleNamespace(id=seq, seq=seq, fetched_at=T0 + timedelta(hours=hours), outcome=outcome)


PAGES = [snap(1, 0, "listed"), snap(2, 1, "blocked"), snap(3, 2, "listed"), snap(4, 3, "listed")]


def test_a_hidden_offer_is_dated_by_its_last_sighting_and_the_next_whole_page():
    event = SimpleNamespace(id=9, kind="shop_offer_missing", detected_at=T0 + timedelta(hours=3), snapshot_id=4,
                            details={"last_seen": T0.isoformat()})
    assert p2b.is_restriction(event.kind)
    line = p2b.timeline(PAGES, event, p2b.Statement(received_on=None))
    assert line.last_seen_listed == T0 and line.first_seen_missing == T0 + timedelta(hours=2)  # not the wall
    assert line.art4_1 is None


def test_a_gone_shop_weighs_the_notice_against_thirty_days():
    pages = [snap(1, 0, "listed"), snap(2, 24, "gone"), snap(3, 48, "gone")]
    event = SimpleNamespace(id=9, kind="shop_gone", detected_at=T0 + timedelta(hours=48), snapshot_id=3,
                            details={"gone_since": (T0 + timedelta(hours=24)).isoformat()})
    line = p2b.timeline(pages, event, p2b.Statement(received_on=date(2026, 2, 20)))
    assert line.last_seen_listed == T0 and line.first_seen_missing == T0 + timedelta(hours=24)
    assert line.notice_days == 11 and line.art4_2 == "less than 30 days' notice"
    assert p2b.timeline_json(line)["kind"] == "shop_gone"


def test_a_search_drop_is_dated_by_the_last_check_that_found_the_offer():
    for kind in ("search_dropped", "not_indexed"):
        event = SimpleNamespace(id=9, kind=kind, detected_at=T0 + timedelta(hours=3), snapshot_id=4,
                                details={"last_seen": T0.isoformat(), "query": "tasse"})
        assert p2b.is_restriction(event.kind)
        line = p2b.timeline(PAGES, event, p2b.Statement(received_on=date(2026, 3, 2)))
        assert line.last_seen_listed == T0 and line.first_seen_missing == T0 + timedelta(hours=2)  # not the wall
        assert line.art4_1 is not None
