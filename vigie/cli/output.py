"""Rows to JSON (the CLI contract) and to human tables."""
from __future__ import annotations

import json
import os
import sys
import textwrap
from typing import Any, Iterable

import click
from rich.console import Console
from rich.table import Table

PIPED_WIDTH = 100_000  # piped or redirected: each row on one line, whatever the terminal's width would be


def console() -> Console:
    """Rich's console for stdout; into a pipe or a file, as wide as the rows (unless COLUMNS asks for a width), so
    that a timestamp is never folded over three lines for grep, cut or a log to read."""
    found = Console()
    return found if found.is_terminal or os.environ.get("COLUMNS") else Console(width=PIPED_WIDTH)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_json_stream(pages: Iterable[list[Any]]) -> None:
    """One JSON array (as `print_json` prints it) written a page of items at a time, as they are read."""
    out, first = sys.stdout, True
    for page in pages:
        for item in page:
            text = json.dumps(item, ensure_ascii=False, indent=2)
            out.write(("[\n" if first else ",\n") + textwrap.indent(text, "  "))
            first = False
        out.flush()
    out.write("[]\n" if first else "\n]\n")


WIDEST = 40  # characters a column (but the last) takes in a streamed table; longer values are cut with "…"


def print_table_pages(title: str | None, columns: list[str], pages: Iterable[list[list[Any]]], *,
                      empty: str | None = None) -> None:
    """A table written a page of rows at a time, as they are read, in plain aligned text: the title and header
    once, the column widths taken from the first page (at most WIDEST, the last column whole: put URLs there).
    No rich table: drawing one per page took 77 s for 100,000 listings; this writes them as fast as they come.
    `empty`: the one line said instead of a table with no row."""
    out, widths = sys.stdout, None
    for rows in pages:
        cells = [["" if v is None else str(v) for v in row] for row in rows]
        if widths is None:
            widths = [min(WIDEST, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)]
            out.write((f"{title}\n" if title else "") + _line(columns, widths) + "\n")
        out.write("".join(_line(row, widths) + "\n" for row in cells))
        out.flush()
    if widths is None:
        out.write(f"{empty}\n" if empty else (f"{title}\n" if title else "") + _line(columns, [len(c) for c in columns])
                  + "\n(none)\n")


def _line(cells: list[str], widths: list[int]) -> str:
    shown = [c if len(c) <= w else c[:w - 1] + "…" for c, w in zip(cells[:-1], widths)]
    return "  ".join([*(c.ljust(w) for c, w in zip(shown, widths)), cells[-1]]).rstrip()


def print_table(title: str | None, columns: list[str], rows: list[list[Any]], *, caption: str | None = None,
                whole: tuple[str, ...] = (), empty: str | None = None) -> None:
    """`whole`: columns never wrapped nor cut (ids to copy); the others fold to fit the terminal. `empty`: the
    one line said instead of a table with no row."""
    if not rows and empty is not None:
        click.echo(empty)
        return
    table = Table(title=title, caption=caption)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in whole)
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console().print(table)


def say(message: str) -> None:
    """Human messages go to stderr, so stdout stays clean for --json and pipes."""
    click.echo(message, err=True)
