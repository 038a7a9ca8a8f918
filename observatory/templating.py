"""The package's one Jinja2 environment: autoescaped, strict about missing names, translated.

Each render carries `ui` (observatory.i18n.Ui), the reader's language: `_()`, `{% trans %}` and the filters below
read it from the context, so one environment serves every language. A template rendered without one (the
evidence bundle's report) reads English.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from observatory import words
from observatory.i18n import FALLBACK, Ui, load_catalogues, ui_for


def environment() -> Environment:
    env = Environment(loader=PackageLoader("observatory", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    catalogues = load_catalogues()
    env.globals["catalogues"] = catalogues
    env.globals["default_ui"] = ui_for(catalogues, FALLBACK)
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.filters.update(when=_when, day=_day, money=_money, number=_number, kind=_kind, outcome=_outcome,
                       availability=_availability, marketplace=_marketplace, duration=_duration,
                       said=_said)
    env.globals["event_kinds"] = tuple(words.EVENT_KINDS)
    return env


def _ui(context: Context) -> Ui:
    ui = context.get("ui")
    return ui if isinstance(ui, Ui) else context["default_ui"]


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _ui(context).translations.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _ui(context).translations.ngettext(singular, plural, n)


@pass_context
def _when(context: Context, value: datetime | date | None) -> str:
    return _ui(context).when(value)


@pass_context
def _day(context: Context, value: datetime) -> str:
    return _ui(context).day(value)


@pass_context
def _marketplace(context: Context, name: str) -> str:
    return _ui(context).gettext(words.marketplace_word(name))


@pass_context
def _money(context: Context, amount: Decimal | str | None, currency: str | None = None) -> str:
    return _ui(context).money(amount, currency)


@pass_context
def _number(context: Context, value: int) -> str:
    return _ui(context).number(value)


@pass_context
def _duration(context: Context, seconds: int) -> str:
    return _ui(context).duration(seconds)


@pass_context
def _said(context: Context, text: str) -> str:
    """A said.Text (or a refusal) in the reader's language."""
    return _ui(context).said(text)


@pass_context
def _kind(context: Context, code: str) -> str:
    return _ui(context).gettext(words.kind_word(code))


@pass_context
def _outcome(context: Context, code: str | None) -> str:
    return _ui(context).gettext(words.outcome_word(code))


@pass_context
def _availability(context: Context, value: str | None) -> str:
    word = words.availability_word(value)
    return _ui(context).gettext(word) if word else "—"
