"""Argument types shared by the commands: ids and ports refused in one line (exit 2), never a traceback."""
from __future__ import annotations

import click

ID_MAX = 2**31 - 1  # ids are INTEGER columns: past this PostgreSQL refuses the query and SQLite never made one


class IdType(click.ParamType):
    """A row id: a whole number from 1 to 2,147,483,647."""

    name = "id"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a valid integer (ids are whole numbers)", param, ctx)
        if not 1 <= number <= ID_MAX:
            self.fail(f"{number} is not an id (ids run from 1 to {ID_MAX:,})", param, ctx)
        return number


ID = IdType()
PORT = click.IntRange(1, 65535)
