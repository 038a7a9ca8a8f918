"""`utc_day(column)`: the UTC calendar day of a timestamp column, computed by the database.

For GROUP BY over many rows (the observatory's dashboard): counting per day in SQL returns a few
hundred rows where reading every snapshot back would return millions. SQLite keeps UTC wall time
(store.types.UTCDateTime) so `date()` is the UTC day; PostgreSQL's `date()` of a timestamptz
follows the session's time zone, so the value is moved to UTC first.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String


class utc_day(FunctionElement):  # noqa: N801 (used like a SQL function)
    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _default(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(date(timezone('UTC', {compiler.process(element.clauses, **kw)})) AS TEXT)"


def as_date(value: str | date) -> date:
    """The column's value as a date, whichever type the driver handed back."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
