"""Fee page reading: saved pages, header words, number formats and "applicable from" dates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from detector.fees import FeeRate
from detector.model import Outcome
from spiders import fee_tables
from spiders.fees import observe
from spiders.page import PageInput

FIXTURES = Path(__file__).parents[1] / "fixtures" / "fees"


def page(name: str, status: int = 200) -> PageInput:
    return PageInput(url="https://example.org/fees", body=(FIXTURES / name).read_bytes(), status=status)


def test_generic_english_page() -> None:
    seen = observe(page("generic_en.html"), "generic")
    assert seen.outcome is Outcome.LISTED and seen.fee_schedule is not None
    assert seen.fee_schedule.rates == (FeeRate("Books", D("15.5"), D("0.50"), None),
                                       FeeRate("Computers", D("7"), None, D("0.30")))
    assert (seen.fee_schedule.currency, seen.fee_schedule.effective_from) == ("EUR", date(2027, 1, 1))


def test_amazon_style_page_keeps_the_first_tier() -> None:
    seen = observe(page("amazon_fr.html"), "amazon")
    assert seen.fee_schedule is not None
    assert seen.fee_schedule.rates == (FeeRate("Informatique", D("7"), None, D("0.30")),
                                       FeeRate("Bijoux", D("20"), None, D("0.30")))
    assert seen.fee_schedule.effective_from == date(2026, 12, 15)


@pytest.mark.parametrize(("status", "outcome"), [(404, Outcome.GONE), (503, Outcome.ERROR), (429, Outcome.BLOCKED)])
def test_status_outcomes(status: int, outcome: Outcome) -> None:
    assert observe(page("generic_en.html", status), "generic").outcome is outcome


def test_a_page_without_a_grid_is_an_error_not_an_empty_schedule() -> None:
    seen = observe(PageInput(url="https://x/", body=b"<html><body><p>Nouveaux tarifs</p></body></html>"), "generic")
    assert seen.outcome is Outcome.ERROR and seen.fee_schedule is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tarifs applicables à partir du 1er janvier 2027.", date(2027, 1, 1)),
        ("Effective from January 1, 2027", date(2027, 1, 1)),
        ("à compter du 15/12/2026", date(2026, 12, 15)),
        ("En vigueur le 3 février 2027", date(2027, 2, 3)),
        ("effective 2027-03-01", date(2027, 3, 1)),
        ("à compter du 31/02/2027", None),
        ("Mis à jour en 2026", None),
    ],
)
def test_effective_date(text: str, expected: date | None) -> None:
    assert fee_tables.effective_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("15 %", D("15")), ("15,5%", D("15.5")), ("7.25 %", D("7.25")),
                                                 ("aucun", None)])
def test_percent(text: str, expected: D | None) -> None:
    assert fee_tables.percent(text) == expected


@pytest.mark.parametrize(("header", "column"), [("Catégorie", "category"), ("Frais fixes", "fixed"),
                                                ("Frais de vente minimum", "minimum"), ("Fixed fee", "fixed"),
                                                ("Pourcentage des frais de vente", "rate"), ("Prix", None)])
def test_header_words(header: str, column: str | None) -> None:
    assert fee_tables.column_of(header) == column
