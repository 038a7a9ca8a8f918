"""Listings from a CSV file: one format for `vigie import` and the observatory's upload.

Columns: url (required), marketplace, seller, email (several separated by spaces or `;`), label,
every (30m, 1h, 1d), browser (yes/no). A header row names them in any order; a file without one
(a column of URLs pasted from a spreadsheet) is read in that order. Columns are separated by commas, semicolons
(French Excel's CSV) or tabs, whichever splits the header into a url column (without a header: whichever every
line holds as often). The file is UTF-8 text (a BOM is
fine) of at most vigie.limits.CSV_ROWS listings.

A bad row is reported by its line and the others are kept; a quote opened and never closed takes the rest
of the file into one cell, so that row is reported with the lines it swallowed. What makes the whole file
unreadable — its header, binary or non-UTF-8 content, a line or cell over limits.CSV_LINE_CHARS, too many
rows — raises CsvFileError. Rows are read as a stream: callers that must refuse such a file before storing
anything read it once to check it (`check_listings`), then again to register.
"""
from __future__ import annotations

import csv
import io
from typing import BinaryIO, Iterator

from said import N_, Refusal, Text
from vigie import limits
from vigie.registration import NewListing

COLUMNS = ("url", "marketplace", "seller", "email", "label", "every", "browser")
YES = frozenset({"yes", "y", "true", "1", "oui", "o", "x"})
NO = frozenset({"", "no", "n", "false", "0", "non"})
Row = tuple[int, NewListing | str]
SNIFFED_LINES = 20  # lines a headerless file's separator is judged on


class CsvFileError(Refusal, ValueError):
    """The file as a whole cannot be read as listings; nothing of it should be stored."""


def read_listings(source: str | BinaryIO) -> Iterator[Row]:
    """(line, listing) for each readable row, (line, why not) for the others; blank rows are skipped.

    `source` is the file's text, or a binary stream of it (read as UTF-8 with an optional BOM, never closed)."""
    lines = _Lines(source)
    # strict: a quote left open at the end of the file is an error, not a last cell holding every line after it
    reader = csv.reader(lines, delimiter=_separator(lines.peek(SNIFFED_LINES)), strict=True)
    header: tuple[str, ...] | None = None
    first, last, count = True, 0, 0
    try:
        while True:
            start = last + 1  # a quoted cell may hold line breaks: a row is named by its first line
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row = _unreadable(str(exc), start, lines.count)
            last = lines.count
            if first:
                first = False
                if isinstance(row, str):
                    raise CsvFileError(N_("line %(line)s: %(why)s"), line=str(start), why=row)
                header = _header(row)
                if header is not None:
                    continue
            if isinstance(row, list) and not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > limits.CSV_ROWS:
                raise CsvFileError(N_("more than %(most)s rows: split the file"), most=limits.CSV_ROWS)
            yield start, row if isinstance(row, str) else _listing(row, header or COLUMNS)
    finally:
        lines.release()
    if first:
        raise CsvFileError(N_("the file is empty"))


def check_listings(source: BinaryIO) -> int:
    """Reads the whole file through (in constant memory) and says how many rows it has; CsvFileError if the
    file cannot be imported at all. The stream is left at its end."""
    return sum(1 for _ in read_listings(source))


def _separator(sample: list[str]) -> str:
    """`,`, `;` (French Excel's CSV) or tab: the one that splits the header into a url column; for a file without
    a header, the one every sampled line holds as often (comma first, as before), else none (one column)."""
    first = sample[0].lstrip("\ufeff") if sample else ""
    for separator in (",", ";", "\t"):
        if "url" in (cell.strip().strip('"').strip().lower() for cell in first.split(separator)):
            return separator
    rows = [line for line in sample if line.strip()]
    for separator in (",", ";", "\t"):
        counts = {line.count(separator) for line in rows}
        if len(counts) == 1 and counts != {0}:
            return separator
    return ","


def _unreadable(error: str, start: int, lines: int) -> str:
    """Why a row could not be parsed, naming every line it took; CsvFileError when nothing after it can be
    trusted either."""
    if "field larger than field limit" in error:
        raise CsvFileError(N_("line %(line)s: a cell longer than %(most)s characters (a quote never closed?): not a "
                              "listings file"), line=str(start), most=limits.CSV_LINE_CHARS)
    swallowed = (Text(N_("lines %(first)s–%(last)s"), first=str(start), last=str(lines)) if lines > start
                 else Text(N_("line %(line)s"), line=str(start)))
    if "unexpected end of data" in error:
        return Text(N_("a quote opened on this line is never closed: %(lines)s read as one cell, not imported"),
                    lines=swallowed)
    if "expected after" in error:  # `"a"b`: strict mode's price for catching the unclosed quote above
        why = Text(N_("text after a closing quote: a quoted cell ends at a comma or the end of the line"))
    else:
        why = Text(N_("unreadable row (%(error)s)"), error=error)
    return why if lines == start else Text(N_("%(why)s; %(lines)s read as one row, not imported"), why=why,
                                           lines=swallowed)


class _Lines:
    """The file's lines for csv.reader, counted, and refused whole when the file is not text."""

    def __init__(self, source: str | BinaryIO):
        if isinstance(source, str):
            self._text: io.TextIOBase = io.StringIO(source, newline="")
            self._binary = None
        else:  # newline="": csv sees line breaks inside quoted cells as they are
            self._text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
            self._binary = source
        self.count = 0
        self._released = False
        self._ahead: list[str] = []

    def peek(self, count: int) -> list[str]:
        """The next `count` lines (fewer at the end), read ahead and served again by iteration."""
        while len(self._ahead) < count:
            line = self._read()
            if not line:
                break
            self._ahead.append(line)
        return list(self._ahead)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._ahead.pop(0) if self._ahead else self._read()
        if not line:
            self.release()
            raise StopIteration
        self.count += 1
        if "\x00" in line:
            self.release()
            raise CsvFileError(N_("line %(line)s holds a NUL byte: a binary file, not CSV text"), line=str(self.count))
        if len(line) > limits.CSV_LINE_CHARS:
            self.release()
            raise CsvFileError(N_("line %(line)s is longer than %(most)s characters: not a listings file"),
                               line=str(self.count), most=limits.CSV_LINE_CHARS)
        return line

    def _read(self) -> str:
        if self._released:  # csv.reader asks again after its "unexpected end of data"
            return ""
        try:
            return self._text.readline(limits.CSV_LINE_CHARS + 1)
        except UnicodeDecodeError:
            self.release()
            raise CsvFileError(N_("not UTF-8 text (a binary file, or another encoding: save it as CSV UTF-8)")) from None

    def release(self) -> None:
        """Hands the caller's binary stream back: a TextIOWrapper closes what it wraps when it goes."""
        if self._binary is not None and not self._released:
            self._text.detach()
        self._released = True


def _header(first: list[str]) -> tuple[str, ...] | None:
    """The column names of a header row; None when the first row is already a listing."""
    names = tuple(cell.strip().lower() for cell in first)
    if "url" not in names:
        if names and "://" in names[0]:
            return None
        raise CsvFileError(N_("the header must name a url column (%(columns)s), its columns separated by commas, "
                              "semicolons or tabs — or the file must be one of the marketplace reports Vigie reads "
                              "(Amazon, eBay, Mirakl)"), columns=", ".join(COLUMNS))
    unknown = [name if len(name) <= 40 else limits.shown(name) for name in names if name not in COLUMNS]
    if unknown:
        raise CsvFileError(N_("unknown column(s) %(unknown)s; allowed: %(columns)s"), unknown=", ".join(unknown[:5]),
                           columns=", ".join(COLUMNS))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CsvFileError(N_("column(s) named twice: %(columns)s"), columns=", ".join(repeated))
    return names


def _listing(row: list[str], columns: tuple[str, ...]) -> NewListing | str:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
        return Text(N_("%(cells)s cells where the header has %(columns)s"), cells=len(row), columns=len(columns))
    fields = {name: cell.strip() for name, cell in zip(columns, row)}
    browser = fields.get("browser", "").lower()
    if browser not in YES | NO:
        return Text(N_("browser must be yes or no, not %(value)s"), value=limits.shown(fields["browser"]))
    if not fields.get("url"):
        return Text(N_("url is empty"))
    return NewListing(url=fields["url"], marketplace=fields.get("marketplace") or None,
                      seller=fields.get("seller") or None,
                      emails=tuple(fields.get("email", "").replace(";", " ").split()),
                      label=fields.get("label") or None, every=fields.get("every") or None,
                      browser=browser in YES)
