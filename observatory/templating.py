"""The package's one Jinja2 environment: autoescaped, strict about missing names."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def environment() -> Environment:
    env = Environment(loader=PackageLoader("observatory", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # catalogues: coordinator's merge
    env.filters["when"] = _when
    return env


# Stored in UTC; shown as the French sellers and investigators read their clocks.
PARIS = ZoneInfo("Europe/Paris")


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z (Paris)")
    return value.isoformat()
