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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository's bench package
from bench.quality_gate import (  # noqa: E402
    AVAILABILITY, LIVE, Metrics, Verdict, check, grouped, measure, pct, record_of,
)

from spiders import registry  # noqa: E402
from spiders.page import PageInput  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CORPUS = ROOT / "corpus"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SHARED_SET = "shared"
RECORD = Path(__file__).with_suffix(".json")

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


# -- the record and the gate (bench/quality_gate.py) -------------------------------------------------------------------------------------
# -- output ------------------------------------------------------------------------------------------------------
def _accuracy(m: Metrics) -> str:
    return "–" if m.accuracy is None else f"{pct(m.accuracy)} ({m.available_right}/{m.judged})"


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
            f"| {pct(m.precision)} | {pct(m.recall)} | {pct(m.f1)} | {_of(m.currency_right, m.currency_both)} |"
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
