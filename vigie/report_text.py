"""A marketplace report's bytes as a table: its encoding and its separator found, its rows numbered by line.

Amazon writes its listing reports tab-separated in UTF-8 or, on the European sites, Windows-1252; eBay's Seller Hub
writes CSV UTF-8 with a BOM; Mirakl exports are `;`-separated; French Excel saves any CSV with `;`. Nothing here
asks the user which: the header says it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from said import N_, Refusal
from vigie import limits

SEPARATORS = ("\t", ";", ",")
SEPARATOR_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}


class ReportFileError(Refusal, ValueError):
    """The file as a whole cannot be read; one line saying why. Nothing of it is stored."""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]  # as written, stripped
    rows: list[tuple[int, list[str]]]  # (first line of the row, cells), blank rows left out
    encoding: str  # "UTF-8" or "Windows-1252"
    separator: str


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (a BOM is dropped) or, failing that, Windows-1252."""
    if b"\x00" in data[:4096]:
        raise ReportFileError(N_("a binary file (it holds NUL bytes), not a text report"))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ReportFileError(N_("neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8")) from None


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def separator_of(header: str, expected: tuple[str, ...] = ()) -> str | None:
    """The separator that splits `header` into cells naming `expected` (any of them); without `expected`, the one
    the line holds (tab first: a title may hold a comma, never a tab)."""
    for separator in SEPARATORS:
        cells = {cell.strip().strip('"').strip().lower() for cell in header.split(separator)}
        if expected and cells.intersection(expected) and len(cells) > 1 or not expected and separator in header:
            return separator
    return None


def table(text: str, separator: str, encoding: str) -> Table:
    """Every row of `text` split on `separator`; ReportFileError when a row cannot be trusted."""
    lines = io.StringIO(text, newline="")
    counted = _Counted(lines)
    reader = csv.reader(counted, delimiter=separator, strict=False)
    header: tuple[str, ...] | None = None
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for row in reader:
            start, last = last + 1, counted.count
            if header is None:
                header = tuple(cell.strip() for cell in row)
                continue
            if any(cell.strip() for cell in row):
                rows.append((start, row))
                if len(rows) > limits.REPORT_ROWS:
                    raise ReportFileError(N_("more than %(most)s rows: split the file"), most=limits.REPORT_ROWS)
    except csv.Error as exc:
        raise ReportFileError(N_("line %(line)s: unreadable (%(why)s)"), line=str(last + 1), why=exc) from None
    if header is None:
        raise ReportFileError(N_("the file is empty"))
    return Table(header=header, rows=rows, encoding=encoding, separator=separator)


class _Counted:
    """Lines for csv.reader, counted (a quoted cell may span lines: a row is named by its first)."""

    def __init__(self, lines: io.StringIO):
        self.lines = lines
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = self.lines.readline(limits.CSV_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) > limits.CSV_LINE_CHARS:
            raise ReportFileError(N_("line %(line)s is longer than %(most)s characters"), line=str(self.count),
                                  most=limits.CSV_LINE_CHARS)
        return line
