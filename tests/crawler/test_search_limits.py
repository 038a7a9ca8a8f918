"""Search pages' daily budget as one process keeps it, its settings, and a walk's reservation (issue 27)."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.search_limits import LeftDue, LocalSearchBudget, SearchLimits, utc_day
from crawler.targets import CheckTarget
from vigie.settings import SettingsError, load

D = date(2026, 3, 14)


def test_the_budget_setting_is_read_and_a_bad_one_named_in_one_line():
    assert load({}).search_budget == 2000
    assert load({"VIGIE_SEARCH_BUDGET": "0"}).search_budget == 0  # no budget
    assert load({"VIGIE_SEARCH_BUDGET": "50_000"}).search_budget == 50_000
    for bad in ("-1", "lots", "1.5", "2e3", "10000001", "²"):
        with pytest.raises(SettingsError, match="VIGIE_SEARCH_BUDGET") as error:
            load({"VIGIE_SEARCH_BUDGET": bad})
        assert "\n" not in str(error.value)


def test_a_walk_that_does_not_fit_is_refused_and_said_once_a_day(caplog):
    budget = LocalSearchBudget(5)
    with caplog.at_level(logging.WARNING, logger="vigie.search"):
        assert budget.take("amazon", 2, day=D) and budget.take("amazon", 2, day=D)
        assert not budget.take("amazon", 2, day=D)  # 4 + 2 > 5: the whole walk, or none of it
        assert not budget.take("amazon", 2, day=D)
        assert budget.take("ebay", 2, day=D)  # each marketplace its own budget
    assert budget.spent(day=D) == {"amazon"}
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "amazon" in said[0] and "2026-03-14" in said[0], said
    # the next UTC day starts afresh
    assert budget.spent(day=D + timedelta(days=1)) == set()
    assert budget.take("amazon", 5, day=D + timedelta(days=1))
    assert not budget.take("amazon", 1, day=D + timedelta(days=1))


def test_pages_given_back_are_taken_again_and_zero_is_no_budget():
    budget = LocalSearchBudget(4)
    assert budget.take("amazon", 4, day=D)
    budget.give_back("amazon", 3, day=D)
    assert budget.take("amazon", 3, day=D) and not budget.take("amazon", 1, day=D)
    unlimited = LocalSearchBudget(0)
    assert all(unlimited.take("amazon", 5, day=D) for _ in range(10_000)) and unlimited.spent(day=D) == set()


def test_a_walk_reserves_its_pages_on_the_service_clocks_utc_day_and_settles_the_unread_ones():
    now = [datetime(2026, 3, 14, 23, 59, tzinfo=UTC)]
    limits = SearchLimits(LocalSearchBudget(4), clock=lambda: now[0])
    watch = CheckTarget(listing_id=7, url="https://www.amazon.fr/s?k=bol", marketplace="amazon", kind="search")
    limits.reserve(watch, 3)
    limits.settle(watch, 1)  # the results ended on page 1: two pages back
    limits.reserve(watch, 3)
    with pytest.raises(LeftDue):
        limits.reserve(watch, 3)
    assert limits.spent() == {"amazon"}
    now[0] += timedelta(minutes=2)  # past midnight UTC: a new day, a new budget
    assert utc_day(now[0]) == date(2026, 3, 15) and limits.spent() == set()
    limits.reserve(watch, 3)
    # a clock in another zone still counts UTC days
    paris = datetime(2026, 3, 15, 0, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    assert utc_day(paris) == date(2026, 3, 15)
