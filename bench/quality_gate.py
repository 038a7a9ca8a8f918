"""What one page's reading is worth, the numbers over many pages, and what the regression gate refuses.

Pure arithmetic over verdicts (expected against read): bench/extraction_quality.py reads the corpus and the
pages, this module judges. The gate fails on a false disappearance, on a page right in the record and wrong now,
and on a set whose availability accuracy or price F1 fell; new pages and absent sets are only noted.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Callable, Iterable

AVAILABILITY = ("listed", "unavailable")  # the outcomes a seller acts on
VERDICTLESS = ("error", "blocked")
DISAPPEARED = ("gone", "offer_gone")
# "live": a live product page whose saved copy was cut before its offer (a trimmed head): any answer but an
# alert is right (listed, or error: the copy says too little)
LIVE = "live"


@dataclass(frozen=True)
class Verdict:
    """What was expected of one page and what was read."""

    set: str
    file: str
    adapter: str
    expected: str
    got: str
    expected_price: Decimal | None = None
    got_price: Decimal | None = None
    expected_currency: str | None = None
    got_currency: str | None = None
    reasons: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.set}:{self.file}"

    @property
    def outcome_right(self) -> bool:
        if self.expected == LIVE:
            return self.got in ("listed", "error")
        return self.expected == self.got

    @property
    def price_right(self) -> bool | None:
        """None when the page's price is ambiguous."""
        return None if self.expected_price is None else self.got_price == self.expected_price

    @property
    def currency_right(self) -> bool | None:
        if self.expected_currency is None or self.got_currency is None:
            return None
        return self.expected_currency == self.got_currency

    @property
    def false_disappearance(self) -> bool:
        return self.expected in (*AVAILABILITY, LIVE) and self.got in DISAPPEARED


@dataclass
class Metrics:
    pages: int = 0
    judged: int = 0  # expected listed or unavailable
    available_right: int = 0
    false_alerts: int = 0
    false_disappearances: int = 0
    no_verdict: int = 0
    out_of_stock: int = 0
    out_of_stock_found: int = 0
    walls: int = 0
    walls_found: int = 0
    removals: int = 0
    removals_found: int = 0
    wrong_answers: int = 0  # a wall or removal read listed/unavailable
    price_tp: int = 0
    price_fp: int = 0
    price_fn: int = 0
    currency_both: int = 0
    currency_right: int = 0

    @property
    def accuracy(self) -> float | None:
        return ratio(self.available_right, self.judged)

    @property
    def precision(self) -> float | None:
        return ratio(self.price_tp, self.price_tp + self.price_fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.price_tp, self.price_tp + self.price_fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_json(self) -> dict:
        return {**asdict(self), "accuracy": self.accuracy, "precision": self.precision, "recall": self.recall,
                "f1": self.f1}


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def measure(verdicts: Iterable[Verdict]) -> Metrics:
    m = Metrics()
    for v in verdicts:
        m.pages += 1
        if v.expected in AVAILABILITY:
            m.judged += 1
            m.available_right += v.outcome_right
            m.false_alerts += v.expected == "listed" and v.got == "unavailable"
            m.false_disappearances += v.false_disappearance
            m.no_verdict += v.got in VERDICTLESS
        if v.expected == LIVE:
            m.false_alerts += v.got == "unavailable"
            m.false_disappearances += v.false_disappearance
        if v.expected == "unavailable":
            m.out_of_stock += 1
            m.out_of_stock_found += v.got == "unavailable"
        if v.expected == "blocked":
            m.walls += 1
            m.walls_found += v.got == "blocked"
        if v.expected == "gone":
            m.removals += 1
            m.removals_found += v.got == "gone"
        m.wrong_answers += v.expected in ("blocked", "gone") and v.got in AVAILABILITY
        if v.expected_price is not None:
            m.price_tp += bool(v.price_right)
            m.price_fn += not v.price_right
        if v.got_price is not None and v.expected_price is not None and not v.price_right:
            m.price_fp += 1
        if v.currency_right is not None:
            m.currency_both += 1
            m.currency_right += v.currency_right
    return m


def grouped(verdicts: list[Verdict], by: Callable[[Verdict], str]) -> dict[str, Metrics]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[by(v)].append(v)
    return {name: measure(group) for name, group in sorted(groups.items())}


def _word(right: bool | None) -> str | None:
    return None if right is None else ("right" if right else "wrong")


def record_of(verdicts: list[Verdict]) -> dict:
    return {
        "pages": {v.key: {"outcome": _word(v.outcome_right), "price": _word(v.price_right)} for v in verdicts},
        "sets": {name: m.as_json() for name, m in grouped(verdicts, lambda v: v.set).items()},
        "adapters": {name: m.as_json() for name, m in grouped(verdicts, lambda v: v.adapter).items()},
        "all": measure(verdicts).as_json(),
    }


def check(record: dict, verdicts: list[Verdict]) -> tuple[list[str], list[str]]:
    """(failures, notes): what breaks the gate, naming the pages, and what is only worth saying."""
    failures: list[str] = []
    notes: list[str] = []
    pages = record.get("pages", {})
    now = {v.key: v for v in verdicts}
    for v in verdicts:
        if v.false_disappearance:
            failures.append(f"false disappearance: {v.key} expected {v.expected}, read {v.got}")
        before = pages.get(v.key)
        if before is None:
            continue
        if before["outcome"] == "right" and not v.outcome_right:
            failures.append(f"regressed: {v.key} outcome was right, now expected {v.expected}, read {v.got}")
        if before["price"] == "right" and v.price_right is False:
            failures.append(f"regressed: {v.key} price was right, now expected {v.expected_price}, "
                            f"read {v.got_price}")
    present = {v.set for v in verdicts}
    current = grouped(verdicts, lambda v: v.set)
    for name, was in sorted(record.get("sets", {}).items()):
        if name not in present:
            notes.append(f"set {name!r} absent here: not checked")
            continue
        newly_wrong = [v.key for v in verdicts
                       if v.set == name and v.key not in pages and (not v.outcome_right or v.price_right is False)]
        for label, value, recorded in (("availability accuracy", current[name].accuracy, was["accuracy"]),
                                       ("price F1", current[name].f1, was["f1"])):
            if recorded is not None and (value is None or value < recorded - 1e-9):
                culprits = f" (new wrong pages: {', '.join(newly_wrong)})" if newly_wrong else ""
                failures.append(f"set {name!r}: {label} {pct(value)}, recorded {pct(recorded)}{culprits}")
    new = [key for key in now if key not in pages]
    if new:
        notes.append(f"{len(new)} page(s) new since the record: {', '.join(new)}")
    dropped = [key for key in pages if key not in now and key.split(":", 1)[0] in present]
    if dropped:
        notes.append(f"{len(dropped)} recorded page(s) no longer in the corpus: {', '.join(dropped)}")
    for name in sorted(present - set(record.get("sets", {}))):
        notes.append(f"set {name!r} new since the record")
    return failures, notes


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"
