"""The extraction quality gate (bench/extraction_quality.py) over the real pages, and its arithmetic.

The gate compares today's readings with bench/extraction_quality.json; the shared corpus (../shared/corpus) is
checked when it is there and reported absent otherwise.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bench import extraction_quality as quality
from bench.quality_gate import Verdict, check, measure, record_of


def verdict(file: str, expected: str, got: str, price: str | None = None, read: str | None = None,
            set: str = "collected") -> Verdict:
    return Verdict(set=set, file=file, adapter="generic", expected=expected, got=got,
                   expected_price=None if price is None else Decimal(price),
                   got_price=None if read is None else Decimal(read))


def test_real_pages_do_not_regress():
    assert quality.RECORD.is_file(), "no bench/extraction_quality.json: run bench/extraction_quality.py --record"
    sets, _ = quality.load_sets()
    verdicts = quality.judge(case for cases in sets.values() for case in cases)
    failures, _ = check(json.loads(quality.RECORD.read_text(encoding="utf-8")), verdicts)
    assert not failures, "\n".join(failures)


def test_price_precision_recall_f1():
    m = measure([
        verdict("a", "listed", "listed", "10.00", "10"),  # TP: Decimal equality
        verdict("b", "listed", "listed", "5.00", "4.99"),  # FP and FN
        verdict("c", "listed", "listed", "7.00", None),  # FN
        verdict("d", "listed", "listed", None, "3.00"),  # ambiguous: not counted
    ])
    assert (m.price_tp, m.price_fp, m.price_fn) == (1, 1, 2)
    assert m.precision == pytest.approx(1 / 2)
    assert m.recall == pytest.approx(1 / 3)
    assert m.f1 == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_no_price_expected_means_no_score():
    m = measure([verdict("a", "blocked", "blocked")])
    assert (m.precision, m.recall, m.f1, m.accuracy) == (None, None, None, None)


def test_availability_counts():
    m = measure([
        verdict("a", "listed", "listed"),
        verdict("b", "listed", "unavailable"),  # false alert
        verdict("c", "unavailable", "unavailable"),
        verdict("d", "unavailable", "gone"),  # false disappearance
        verdict("e", "listed", "blocked"),  # no verdict
        verdict("f", "blocked", "listed"),  # wrong answer
        verdict("g", "gone", "gone"),
    ])
    assert (m.judged, m.available_right) == (5, 2)
    assert (m.false_alerts, m.false_disappearances, m.no_verdict) == (1, 1, 1)
    assert (m.out_of_stock_found, m.out_of_stock) == (1, 2)
    assert (m.walls_found, m.walls, m.removals_found, m.removals, m.wrong_answers) == (0, 1, 1, 1, 1)


def test_a_false_disappearance_fails_even_without_a_record():
    failures, _ = check({}, [verdict("a", "listed", "offer_gone")])
    assert failures == ["false disappearance: collected:a expected listed, read offer_gone"]


def test_a_page_that_regressed_is_named():
    before = [verdict("a", "listed", "listed", "10", "10"), verdict("b", "listed", "listed", "5", "5")]
    after = [verdict("a", "listed", "listed", "10", "10"), verdict("b", "listed", "unavailable", "5", "6")]
    failures, _ = check(record_of(before), after)
    assert any(line.startswith("regressed: collected:b outcome") for line in failures)
    assert any(line.startswith("regressed: collected:b price") for line in failures)
    assert not any("collected:a" in line for line in failures)


def test_a_lower_accuracy_names_the_new_wrong_page():
    before = [verdict("a", "listed", "listed")]
    after = [verdict("a", "listed", "listed"), verdict("new", "listed", "unavailable")]
    failures, notes = check(record_of(before), after)
    assert failures == ["set 'collected': availability accuracy 50.0 %, recorded 100.0 % "
                        "(new wrong pages: collected:new)"]
    assert notes == ["1 page(s) new since the record: collected:new"]


def test_a_missing_set_and_new_pages_are_not_failures():
    before = [verdict("a", "listed", "listed", set="shared"), verdict("b", "listed", "listed")]
    after = [verdict("b", "listed", "listed"), verdict("c", "unavailable", "unavailable")]
    failures, notes = check(record_of(before), after)
    assert failures == []
    assert "set 'shared' absent here: not checked" in notes
    assert "1 page(s) new since the record: collected:c" in notes


def test_bad_arguments_exit_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        quality.main(["--record", "--check"])
    assert exit_.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
