"""Every page of the real-page corpus (../shared/corpus, checked by hand) read as EXPECTED.tsv says.

The corpus is not part of the project (unclear licence); CI has it next to the checkout.
Rows whose marketplace adapter is not written yet are expected failures, not skips,
so they start counting the day the adapter lands.
"""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from spiders import registry
from spiders.extract import extract_file

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"


def rows() -> list:
    expected = CORPUS / "EXPECTED.tsv"
    if not expected.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"real-page corpus not found at {CORPUS.resolve()}"))]
    known = set(registry.names())
    params = []
    with expected.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            marks = []
            if row["marketplace"] not in known:
                marks.append(pytest.mark.xfail(reason=f"no {row['marketplace']} adapter registered yet", strict=False))
            params.append(pytest.param(row, id=row["file"], marks=marks))
    return params


@pytest.mark.parametrize("row", rows())
def test_corpus_page(row):
    observation = extract_file(CORPUS / row["file"], marketplace=row["marketplace"])
    where = f"{row['file']} (reasons: {observation.reasons})"
    assert observation.outcome.value == row["outcome"], where
    for field in ("price", "shipping_fee"):
        if row[field]:
            assert getattr(observation, field) == Decimal(row[field]), f"{field} of {where}"
    if row["currency"]:
        assert observation.currency == row["currency"], where
    if row["seller"]:
        seller = (observation.seller or "").casefold()
        assert seller.startswith(row["seller"].casefold()), f"seller {observation.seller!r} of {where}"
