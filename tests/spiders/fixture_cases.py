"""Saved-page fixtures: tests/fixtures/<marketplace>/<case>.html plus <case>.json, the expected observation.

Every adapter's test is two lines:

    @pytest.mark.parametrize("case", load_cases("amazon"))
    def test_fixture(case): check_case(case)

The JSON holds the expected `outcome` and the fields checked exactly when present
(`price`, `shipping_fee` as dot-decimal strings or null; `currency`, `seller`, `title`,
`availability`), `reason` (a text one of the observation's reasons must contain), and the
inputs: `url` (final URL), `requested_url`, `status`, `registered_seller`, `headers`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from detector.model import Observation
from spiders import registry
from spiders.extract import observation_json
from spiders.page import PageInput

FIXTURES = Path(__file__).parents[1] / "fixtures"
CHECKED = ("outcome", "price", "currency", "shipping_fee", "seller", "title", "availability")


@dataclass(frozen=True)
class Case:
    marketplace: str
    name: str
    html: Path
    expected: dict

    def page_input(self) -> PageInput:
        adapter = registry.by_name(self.marketplace)
        host = f"www.{adapter.domains[0]}" if adapter.domains else "shop.example.com"
        return PageInput(
            url=self.expected.get("url") or f"https://{host}/product/{self.name}",
            body=self.html.read_bytes(),
            status=int(self.expected.get("status", 200)),
            requested_url=self.expected.get("requested_url"),
            headers=self.expected.get("headers", {}),
            seller=self.expected.get("registered_seller"),
        )


def load_cases(marketplace: str) -> list:
    """One pytest.param per <case>.json in tests/fixtures/<marketplace>/, named after the case."""
    folder = FIXTURES / marketplace
    cases = []
    for spec in sorted(folder.glob("*.json")):
        html = spec.with_suffix(".html")
        expected = json.loads(spec.read_text(encoding="utf-8"))
        cases.append(pytest.param(Case(marketplace, spec.stem, html, expected), id=spec.stem))
    if not cases:
        raise AssertionError(f"no fixtures in {folder}")
    return cases


def observe(case: Case) -> Observation:
    return registry.by_name(case.marketplace).observe(case.page_input())


def check_case(case: Case) -> Observation:
    """Assert the observation matches the case's JSON; returns it for extra checks."""
    assert case.html.exists(), f"{case.html} is missing"
    observation = observe(case)
    got = observation_json(observation)
    for key in CHECKED:
        if key in case.expected:
            assert got[key] == case.expected[key], (
                f"{case.marketplace}/{case.name}: {key} is {got[key]!r}, expected {case.expected[key]!r}"
                f" (reasons: {got['reasons']})"
            )
    if "reason" in case.expected:
        wanted = case.expected["reason"].casefold()
        assert any(wanted in reason.casefold() for reason in got["reasons"]), (
            f"{case.marketplace}/{case.name}: no reason mentions {wanted!r} in {got['reasons']}"
        )
    return observation
