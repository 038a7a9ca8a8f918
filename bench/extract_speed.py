"""Extraction time per page on the real corpus: median and worst per marketplace.

    .venv/bin/python bench/extract_speed.py [CORPUS_DIR] [--runs 15]

Reads ../shared/corpus/EXPECTED.tsv by default; each page is classified and extracted `runs` times by its
adapter, exactly as `vigie extract` does (parse, wall check, fields).
"""
from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from pathlib import Path

from spiders import registry
from spiders.page import PageInput

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = list(csv.DictReader((args.corpus / "EXPECTED.tsv").open(encoding="utf-8"), delimiter="\t"))
    timings: dict[str, list[float]] = defaultdict(list)
    big_amazon: list[float] = []
    for row in rows:
        body = (args.corpus / row["file"]).read_bytes()
        adapter = registry.by_name(row["marketplace"])
        host = adapter.domains[0] if adapter.domains else "example.com"
        page = PageInput(url=f"https://www.{host}/", body=body)
        page_times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            adapter.observe(PageInput(url=page.url, body=body))
            page_times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(page_times)
        timings[row["marketplace"]].append(median)
        if row["marketplace"] == "amazon" and len(body) > 500_000:
            big_amazon.append(median)
    print(f"{'marketplace':<12} {'pages':>5} {'median ms':>10} {'worst ms':>9}")
    for name, values in sorted(timings.items()):
        print(f"{name:<12} {len(values):>5} {statistics.median(values):>10.1f} {max(values):>9.1f}")
    if big_amazon:
        print(f"Amazon pages over 500 KB: median {statistics.median(big_amazon):.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
