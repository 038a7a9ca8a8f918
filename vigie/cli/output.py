"""Rows to JSON (the CLI contract) and to human tables."""
from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table



def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_table(title: str | None, columns: list[str], rows: list[list[Any]], *, caption: str | None = None,
                whole: tuple[str, ...] = ()) -> None:
    """`whole`: columns never wrapped nor cut (ids to copy); the others fold to fit the terminal."""
    table = Table(title=title, caption=caption)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in whole)
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    Console().print(table)


def say(message: str) -> None:
    """Human messages go to stderr, so stdout stays clean for --json and pipes."""
    click.echo(message, err=True)
