"""The median baseline, the abrupt-change rule, and seller name matching."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from detector import baseline, seller


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((D(3),), D(3)),
        ((D(5), D(1), D(3)), D(3)),
        ((D("19.99"), D("20.01")), D("20.00")),
        ((D(1), D(9), D(2), D(8)), D(5)),
    ],
)
def test_median(values: tuple[D, ...], expected: D) -> None:
    assert baseline.median(values) == expected


@pytest.mark.parametrize(
    ("window", "value", "expected"),
    [
        ((), D(50), None),
        ((D(100),), D(110), None),
        ((D(100),), D(90), None),
        ((D(100),), D("110.01"), ("+10.0", "relative>10%")),
        ((D(100),), D("89.99"), ("-10.0", "relative>10%")),
        ((D(0),), D(0), None),
        ((D(0),), D(5), ("+inf", "relative>10%")),
    ],
)
def test_judge_prices(window: tuple[D, ...], value: D, expected: tuple[str, str] | None) -> None:
    jump = baseline.judge(window, value, threshold=D("0.10"), free_to_paid=False)
    assert (jump and (jump.change_pct, jump.rule)) == expected


def test_free_to_paid_rule_for_fees() -> None:
    jump = baseline.judge((D(0), D(0)), D("0.01"), threshold=D(1000), free_to_paid=True)
    assert jump is not None and jump.rule == "free_to_paid" and jump.before == D(0)


def test_track_appends_caps_and_resets() -> None:
    window, jump = baseline.track((D(1), D(1)), D(1), size=2, threshold=D("0.1"))
    assert window == (D(1), D(1)) and jump is None
    window, jump = baseline.track((D(1), D(1)), D(2), size=2, threshold=D("0.1"))
    assert window == (D(2),) and jump is not None and jump.after == D(2)


def test_track_judges_only_the_last_size_values() -> None:
    # an old window longer than the policy's (the policy shrank) is read from its recent end
    _, jump = baseline.track((D(1), D(1), D(1), D(10), D(10)), D(10), size=2, threshold=D("0.1"))
    assert jump is None


@pytest.mark.parametrize(
    ("registered", "shown", "expected"),
    [
        ("Boutique Éloïse", "boutique  eloise SARL", True),
        ("BOUTIQUE ELOISE", "Boutique Éloïse", True),
        ("Boutique Eloise", "Boutique", False),
        ("Boutique Eloise", "MegaStore", False),
        ("Boutique Eloise", None, False),
        ("  ", "anything", False),
    ],
)
def test_seller_matches(registered: str, shown: str | None, expected: bool) -> None:
    assert seller.matches(registered, shown) is expected


def test_seller_moved_away_needs_a_named_newcomer() -> None:
    assert seller.moved_away("Eloise", "Éloïse SARL", "MegaStore")
    assert not seller.moved_away("Eloise", "Éloïse SARL", "   ")
    assert not seller.moved_away("Eloise", "Éloïse SARL", None)
    assert not seller.moved_away(None, "Éloïse SARL", "MegaStore")
    assert not seller.moved_away("Eloise", "Other", "MegaStore")
