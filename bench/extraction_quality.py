"""How well pages are classified and prices read, over the real pages: a table per adapter, and a regression gate.

    .venv/bin/python bench/extraction_quality.py [-v] [--cli PATH] [--record | --check]

Page sets: every `corpus/*.tsv` of the project (pages under `corpus/pages/`, see corpus/README.md), and the shared
corpus `../shared/corpus/EXPECTED.tsv` when it exists (skipped with one line otherwise). Each page is judged as
`vigie extract` judges it, as if served with HTTP 200: the adapter serving the row's URL (`generic` for any other
shop), else the row's marketplace. `--cli PATH` runs `PATH extract FILE --marketplace NAME [--url URL] --json`
for every page instead, to measure what users run.

`-v` lists every wrong page with the observation's reasons. `--record` writes bench/extraction_quality.json (each
page's outcome and price verdicts, the numbers per set and adapter); `--check` compares with it and exits 1 naming
the pages on a false disappearance (a listed or unavailable page read gone/offer_gone), a page right in the record
and wrong now, or a set whose availability accuracy or price F1 fell. New pages and absent sets are only reported.
Exit 2 on bad arguments or a malformed corpus row.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable, NoReturn

from spiders import registry
from spiders.page import PageInput

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CORPUS = ROOT / "corpus"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SHARED_SET = "shared"
RECORD = Path(__file__).with_suffix(".json")

AVAILABILITY = ("listed", "unavailable")  # the outcomes a seller acts on
VERDICTLESS = ("error", "blocked")
DISAPPEARED = ("gone", "offer_gone")
# "live": a live product page whose saved copy was cut before its offer (a trimmed head): any answer but an
# alert is right (listed, or error: the copy says too little)
LIVE = "live"
LABELS = {*AVAILABILITY, "gone", "blocked", LIVE}


class CorpusError(Exception):
    """A corpus row that cannot be judged: one line saying where."""


@dataclass(frozen=True)
class Case:
    """One labelled page."""

    set: str
    file: str
    path: Path
    url: str | None
    marketplace: str | None  # used when there is no url
    outcome: str
    price: Decimal | None  # None: ambiguous, anything accepted
    currency: str | None


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


# -- reading the corpora -----------------------------------------------------------------------------------------
def load_sets(project: Path = PROJECT_CORPUS, shared: Path = SHARED_CORPUS) -> tuple[dict[str, list[Case]], list[str]]:
    """Every page set found, by name, and one line per set skipped."""
    sets: dict[str, list[Case]] = {}
    notes: list[str] = []
    for tsv in sorted(project.glob("*.tsv")):
        sets[tsv.stem] = _read(tsv, tsv.stem, project / "pages", marketplace_column="site")
    expected = shared / "EXPECTED.tsv"
    if expected.is_file():
        sets[SHARED_SET] = _read(expected, SHARED_SET, shared, marketplace_column="marketplace")
    else:
        notes.append(f"set {SHARED_SET!r} skipped: no {expected}")
    return sets, notes


def _read(tsv: Path, name: str, pages: Path, *, marketplace_column: str) -> list[Case]:
    cases = []
    with tsv.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            where = f"{tsv} line {line}"
            outcome = (row.get("outcome") or "").strip()
            if outcome not in LABELS:
                raise CorpusError(f"{where}: outcome {outcome!r} is not one of {', '.join(sorted(LABELS))}")
            path = pages / (row.get("file") or "")
            if not path.is_file():
                raise CorpusError(f"{where}: page {path} not found")
            cases.append(Case(
                set=name, file=row["file"], path=path, url=(row.get("url") or "").strip() or None,
                marketplace=(row.get(marketplace_column) or "").strip() or None, outcome=outcome,
                price=_decimal(row.get("price"), where), currency=(row.get("currency") or "").strip() or None,
            ))
    return cases


def _decimal(text: str | None, where: str) -> Decimal | None:
    if not (text or "").strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise CorpusError(f"{where}: price {text!r} is not a dot-decimal") from None


def body_of(case: Case) -> bytes:
    data = case.path.read_bytes()
    return gzip.decompress(data) if case.path.name.endswith(".gz") else data


def adapter_and_url(case: Case) -> tuple[str, str]:
    """(adapter name, page URL) chosen as `vigie extract` would; an unknown marketplace keeps its own name."""
    if case.url:
        return registry.for_url(case.url).name, case.url
    if case.marketplace and "." in case.marketplace:  # a project row's `site` is a domain
        url = f"https://{case.marketplace}/"
        return registry.for_url(url).name, url
    try:
        adapter = registry.by_name(case.marketplace or registry.GENERIC_NAME)
    except KeyError:
        return case.marketplace or "?", "https://www.example.com/"
    host = adapter.domains[0] if adapter.domains else "example.com"
    return adapter.name, f"https://www.{host}/"


# -- judging pages -----------------------------------------------------------------------------------------------
Reading = tuple[str, Decimal | None, str | None, tuple[str, ...]]  # outcome, price, currency, reasons
Reader = Callable[[Case, str, str], Reading]


def read_in_process(case: Case, adapter: str, url: str) -> Reading:
    try:
        marketplace = registry.by_name(adapter)
    except KeyError:
        return "error", None, None, (f"no adapter named {adapter!r}",)
    seen = marketplace.observe(PageInput(url=url, body=body_of(case), status=200))
    return seen.outcome.value, seen.price, seen.currency, tuple(seen.reasons)


def cli_reader(cli: str) -> Reader:
    def read(case: Case, adapter: str, url: str) -> Reading:
        with tempfile.TemporaryDirectory(prefix="vigie-quality-") as workdir:
            page = Path(workdir) / "page.html"
            page.write_bytes(body_of(case))
            # the URL the in-process reading uses, so both ways judge the same page
            command = [cli, "extract", str(page), "--marketplace", adapter, "--url", url, "--json"]
            done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            return "error", None, None, (f"cli: {last}",)
        data = json.loads(done.stdout)
        price = None if data["price"] is None else Decimal(data["price"])
        return data["outcome"], price, data["currency"], tuple(data["reasons"])

    return read


def judge(cases: Iterable[Case], read: Reader = read_in_process) -> list[Verdict]:
    verdicts = []
    for case in cases:
        adapter, url = adapter_and_url(case)
        outcome, price, currency, reasons = read(case, adapter, url)
        verdicts.append(Verdict(
            set=case.set, file=case.file, adapter=adapter, expected=case.outcome, got=outcome,
            expected_price=case.price, got_price=price, expected_currency=case.currency, got_currency=currency,
            reasons=reasons,
        ))
    return verdicts


# -- the record and the gate -------------------------------------------------------------------------------------
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
                failures.append(f"set {name!r}: {label} {_pct(value)}, recorded {_pct(recorded)}{culprits}")
    new = [key for key in now if key not in pages]
    if new:
        notes.append(f"{len(new)} page(s) new since the record: {', '.join(new)}")
    dropped = [key for key in pages if key not in now and key.split(":", 1)[0] in present]
    if dropped:
        notes.append(f"{len(dropped)} recorded page(s) no longer in the corpus: {', '.join(dropped)}")
    for name in sorted(present - set(record.get("sets", {}))):
        notes.append(f"set {name!r} new since the record")
    return failures, notes


# -- output ------------------------------------------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _accuracy(m: Metrics) -> str:
    return "–" if m.accuracy is None else f"{_pct(m.accuracy)} ({m.available_right}/{m.judged})"


def _of(part: int, whole: int) -> str:
    return "–" if not whole else f"{part} of {whole}"


HEADER = ("| {} | pages | availability | false alerts | false disappearances | no verdict | out of stock found "
          "| walls | removals | wrong on walls/removals | price P | price R | price F1 | currency |")


def table(rows: dict[str, Metrics], first: str) -> str:
    lines = [HEADER.format(first), "|" + "---|" * 14]
    for name, m in rows.items():
        lines.append(
            f"| {name} | {m.pages} | {_accuracy(m)} | {m.false_alerts} "
            f"| {m.false_disappearances} | {m.no_verdict} | {_of(m.out_of_stock_found, m.out_of_stock)} "
            f"| {_of(m.walls_found, m.walls)} | {_of(m.removals_found, m.removals)} | {m.wrong_answers} "
            f"| {_pct(m.precision)} | {_pct(m.recall)} | {_pct(m.f1)} | {_of(m.currency_right, m.currency_both)} |"
        )
    return "\n".join(lines)


def wrong_pages(verdicts: list[Verdict]) -> list[str]:
    def shown(outcome: str, price: Decimal | None, currency: str | None, priced: bool) -> str:
        amount = price if price is not None or not priced else "no price"
        return " ".join(str(part) for part in (outcome, amount, currency) if part is not None)

    return [
        f"- {v.key} [{v.adapter}]: expected {shown(v.expected, v.expected_price, v.expected_currency, False)}, "
        f"got {shown(v.got, v.got_price, v.got_currency, v.expected_price is not None)}; "
        f"reasons: {'; '.join(v.reasons) or '–'}"
        for v in verdicts
        if not v.outcome_right or v.price_right is False or v.currency_right is False
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong page")
    parser.add_argument("--cli", metavar="PATH", help="run this installed `vigie` for every page")
    gate = parser.add_mutually_exclusive_group()
    gate.add_argument("--record", action="store_true", help=f"write {RECORD.name}")
    gate.add_argument("--check", action="store_true", help=f"compare with {RECORD.name}; exit 1 on a regression")
    parser.error = _bad_arguments  # type: ignore[method-assign]
    args = parser.parse_args(argv)
    read: Reader = read_in_process
    if args.cli:
        cli = shutil.which(args.cli)
        if cli is None:
            _bad_arguments(f"--cli {args.cli}: no such executable")
        read = cli_reader(str(Path(cli).resolve()))
    if args.check and not RECORD.is_file():
        _bad_arguments(f"--check: no record at {RECORD}; run --record first")
    try:
        sets, skipped = load_sets()
    except CorpusError as exc:
        _bad_arguments(str(exc))
    for line in skipped:
        print(line)
    verdicts = judge((case for cases in sets.values() for case in cases), read)
    print(table({**grouped(verdicts, lambda v: v.adapter), "all": measure(verdicts)}, "adapter"))
    print()
    print(table(grouped(verdicts, lambda v: v.set), "set"))
    if args.verbose:
        wrong = wrong_pages(verdicts)
        print("\n".join(["", "Wrong pages:", *wrong] if wrong else ["", "No wrong page."]))
    if args.record:
        RECORD.write_text(json.dumps(record_of(verdicts), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nrecorded {len(verdicts)} pages in {RECORD.relative_to(ROOT)}")
    if args.check:
        failures, notes = check(json.loads(RECORD.read_text(encoding="utf-8")), verdicts)
        print()
        print("\n".join(notes + [f"FAIL {line}" for line in failures] or ["no regression"]))
        return 1 if failures else 0
    return 0


def _bad_arguments(message: str) -> NoReturn:
    print(f"extraction_quality: {message}", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    sys.exit(main())
