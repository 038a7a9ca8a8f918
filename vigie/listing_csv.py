"""Listings from a CSV file: one format for `vigie import` and the observatory's upload.

Columns: url (required), marketplace, seller, email (several separated by spaces or `;`), label,
every (30m, 1h, 1d), browser (yes/no). A header row names them in any order; a file without one
(a column of URLs pasted from a spreadsheet) is read in that order. A bad header refuses the whole
file; a bad row is reported by its line and the others are kept.
"""
from __future__ import annotations

import csv
import io

from vigie.registration import NewListing

COLUMNS = ("url", "marketplace", "seller", "email", "label", "every", "browser")
YES = frozenset({"yes", "y", "true", "1", "oui", "o", "x"})
NO = frozenset({"", "no", "n", "false", "0", "non"})


class CsvFileError(ValueError):
    """The file as a whole cannot be read as listings (its header, mostly)."""


def read_listings(text: str) -> list[tuple[int, NewListing | str]]:
    """(line, listing) for each readable row, (line, why not) for the others; blank rows are skipped."""
    reader = csv.reader(io.StringIO(text))
    rows, last = [], 0
    for row in reader:  # a quoted cell may hold line breaks: a row is named by its first line
        rows.append((last + 1, row))
        last = reader.line_num
    if not rows:
        raise CsvFileError("the file is empty")
    header = _header(rows[0][1])
    body = rows[1:] if header is not None else rows
    columns = header or COLUMNS
    return [(line, _listing(row, columns)) for line, row in body if any(cell.strip() for cell in row)]


def _header(first: list[str]) -> tuple[str, ...] | None:
    """The column names of a header row; None when the first row is already a listing."""
    names = tuple(cell.strip().lower() for cell in first)
    if "url" not in names:
        if names and "://" in names[0]:
            return None
        raise CsvFileError(f"the header must name a url column ({', '.join(COLUMNS)})")
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise CsvFileError(f"unknown column(s) {', '.join(unknown)}; allowed: {', '.join(COLUMNS)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CsvFileError(f"column(s) named twice: {', '.join(repeated)}")
    return names


def _listing(row: list[str], columns: tuple[str, ...]) -> NewListing | str:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
        return f"{len(row)} cells where the header has {len(columns)}"
    fields = {name: cell.strip() for name, cell in zip(columns, row)}
    browser = fields.get("browser", "").lower()
    if browser not in YES | NO:
        return f"browser must be yes or no, not {fields['browser']!r}"
    if not fields.get("url"):
        return "url is empty"
    return NewListing(url=fields["url"], marketplace=fields.get("marketplace") or None,
                      seller=fields.get("seller") or None,
                      emails=tuple(fields.get("email", "").replace(";", " ").split()),
                      label=fields.get("label") or None, every=fields.get("every") or None,
                      browser=browser in YES)
