"""The search watch's rank chart (issue 27): #1 at the top, round rank ticks, a mark per search event, "not found"
on a row of its own, and a walk with no answer a gap in the line, never a drop."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from observatory.i18n import load_catalogues, ui_for
from observatory.rank_chart import build, rank_range
from store.db import session_scope
from store.models import Event
from store.models_search import SearchCheck
from tests.observatory.conftest import NOW, app, client, log_in, world  # noqa: F401 (fixtures)
from vigie.search_watches import NewSearchWatch, add_search_watch

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Check:
    checked_at: datetime
    complete: bool
    position: int | None
    sponsored: bool = False
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ev:
    kind: str
    detected_at: datetime


def test_rank_bounds_are_round_and_never_too_tight():
    assert rank_range([2, 3, 2]) == (10, 5)  # a steady #2 is not stretched over the whole height
    assert rank_range([4, 37]) == (40, 10)
    assert rank_range([120]) == (150, 50)


def test_the_axis_runs_from_1_at_the_top_and_no_answer_breaks_the_line():
    ranks = [4, 4, 5, None, 31, "?", 30, 3]  # None: not found; "?": no answer
    checks = [Check(T0 + timedelta(days=i), r != "?", r if isinstance(r, int) else None,
                    reasons=("page 1: blocked: captcha",) if r == "?" else ()) for i, r in enumerate(ranks)]
    events = [Ev("search_dropped", T0 + timedelta(days=3)), Ev("price_change", T0 + timedelta(days=4)),
              Ev("not_indexed", T0 + timedelta(days=6))]
    chart = build(checks, events, ui_for(load_catalogues(), "fr"))
    ticks = {t.label: float(t.at) for t in chart.y_ticks}
    assert list(ticks) == ["#1", "#10", "#20", "#30", "#40"]
    assert ticks["#1"] < ticks["#10"] < ticks["#40"]  # inverted: the best rank is the highest point
    statuses = [p.status for p in chart.points]
    assert statuses == ["found", "found", "found", "absent", "found", "no_answer", "found", "found"]
    found = {int(p.label.rsplit("#", 1)[1]): float(p.y) for p in chart.points if p.status == "found"}
    assert found[3] < found[4] < found[30] < found[31] < float(chart.absent_y)  # not found: below every rank
    assert float(chart.points[5].y) == chart.bottom and "captcha" in chart.points[5].label
    # two runs of complete checks, split at the walk with no answer (the gap), the absent one inside the first
    assert len(chart.lines) == 2 and [len(line.split()) for line in chart.lines] == [5, 2]
    assert [m.label for m in chart.marks] == ["Sorti des résultats de recherche",
                                              "Introuvable par la recherche de la place de marché"]


def test_the_watch_page_draws_the_chart_with_a_mark_per_event(client, sessions, world):
    with session_scope(sessions) as s:
        watch_id = add_search_watch(s, NewSearchWatch(world.seeded.alice_listing, "lampe"), allow_private=False,
                                    now=NOW).listing_id
        for seq, (days, complete, position) in enumerate([(6, True, 3), (5, True, 4), (4, False, None),
                                                          (3, True, None), (2, True, None), (1, True, 12)], 1):
            s.add(SearchCheck(watch_id=watch_id, seq=seq, checked_at=NOW - timedelta(days=days), complete=complete,
                              pages=2, position=position, reasons=[] if complete else ["page 1: blocked: captcha"]))
        for days in (2, 1):
            s.add(Event(listing_id=watch_id, kind="search_dropped", detected_at=NOW - timedelta(days=days),
                        before="#3", after="absent", details={}))
    log_in(client, "alice@example.org")
    page = client.get(f"/search-watches/{watch_id}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    svg = re.search(r'<svg id="rank-chart".*?</svg>', page.text, re.S).group(0)
    assert svg.count('class="mark mark-search_dropped"') == 2
    assert svg.count('class="point-found"') == 3 and svg.count('class="point-absent"') == 2
    assert svg.count('class="point-no-answer"') == 1 and svg.count('class="series-rank"') == 2
    labels = re.findall(r'class="y-label"[^>]*>([^<]+)<', svg)
    assert labels[0] == "#1" and "introuvable" in svg  # the best rank first (at the top), "not found" in French
    second = client.get(f"/search-watches/{watch_id}?limit=4")
    assert second.text.count("<tr data-seq=") == 4 and 'rel="next"' in second.text
    following = re.search(r'rel="next" href="([^"]+)"', second.text).group(1).replace("&amp;", "&")
    assert re.findall(r'data-seq="(\d+)"', client.get(following).text) == ["2", "1"]
