"""What Vigie says when it refuses something: English where it is written down, the reader's language on a page.

A refusal's message stays English wherever it is kept or read by a program: the CLI's stderr, the API's JSON, the
logs and the store (tests and scripts match it). The web UI shows it in the reader's language. So the message is a
`Text`: a `str` (the English, exactly as before, so every caller that handles strings keeps working) that also
carries its message id, an English template marked `N_()` for `pybabel extract`, and the values put in it.
observatory.i18n.Ui.said translates the template and writes the values the reader's way.

The values: an int is a quantity, grouped per locale (2,000 / 2 000); an identifier or a line number is passed as
text (`str(listing.id)`), which no locale regroups; a timedelta is a duration ("5m" in English, "5 minutes" on a
page); a Text (or a refusal) is said in the same language in turn; anything else is shown as it is.

A leaf: it imports nothing of Vigie's, so netpolicy, the crawler and the alerts can use it.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any


def N_(message: str) -> str:
    """Marks a message for `pybabel extract`; translated when shown (observatory.i18n.Ui.said)."""
    return message


class Text(str):
    """English text that can be said again in another language: its template and its values."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        if isinstance(template, Text) and not params:
            return template
        english = template % {name: _english(value) for name, value in params.items()} if params else template
        self = super().__new__(cls, english)
        self.template, self.params = str(template), params
        return self


def _english(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, timedelta):
        return short_duration(int(value.total_seconds()))
    return str(value)


def short_duration(seconds: int) -> str:
    """90 → 1m30s: the CLI's way of writing a duration (vigie.durations.format_duration is this)."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def text_of(value: Any) -> Text:
    """The Text of a refusal, a Text, or a plain string (a Text without values: shown as it is if no catalogue
    knows it)."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 and isinstance(value.args[0], str) else str(value)
    return value if isinstance(value, Text) else Text(str(value))


class Refusal(Exception):
    """A mixin for exceptions whose one-line message is a Text: `RegistrationError(N_("at most %(limit)s"),
    limit=2000)`; `str(exc)` is the English, `exc.text` the Text. A plain string (or a Text) is taken as it is."""

    def __init__(self, message: str = "", /, **params: Any):
        super().__init__(Text(message, **params))

    @property
    def text(self) -> Text:
        return text_of(self)
