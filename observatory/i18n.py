"""The observatory's two languages: gettext catalogues, the language a request is answered in, and dates,
numbers and money written the way that language writes them (Babel).

The catalogues are the committed `.po` files under observatory/translations, compiled to gettext's binary form
in memory when the app starts (a few milliseconds): the wheel carries the `.po` files it was built from and
nothing can go stale between a `.po` and a forgotten `.mo`.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from gettext import GNUTranslations, NullTranslations
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time, format_timedelta, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from said import Text, text_of

LANGUAGES = ("fr", "en")
# what a request without any Accept-Language (scripts, curl) gets: the language of the API and the code
FALLBACK = "en"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# French readers read Paris time; English readers get UTC, said on every time shown
ZONES = {"fr": ZoneInfo("Europe/Paris"), "en": ZoneInfo("UTC")}
ZONE_SUFFIX = {"fr": "", "en": " UTC"}


def _compiled(lang: str) -> GNUTranslations | NullTranslations:
    po = resources.files("observatory") / "translations" / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return GNUTranslations(buffer)


def load_catalogues() -> dict[str, GNUTranslations | NullTranslations]:
    return {lang: _compiled(lang) for lang in LANGUAGES}


def negotiate(accept_language: str | None) -> str:
    """The first of our languages the browser's Accept-Language asks for (by its q order); FALLBACK otherwise."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(wanted):
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return FALLBACK


def known(lang: str | None) -> str | None:
    return lang if lang in LANGUAGES else None


UNITS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


@dataclass(frozen=True)
class Ui:
    """One request's language: its translations and its way of writing dates, numbers and money."""

    lang: str
    translations: GNUTranslations | NullTranslations

    def gettext(self, message: str, **variables) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def said(self, refusal: BaseException | str) -> str:
        """A refusal (said.Refusal, or any exception or string carrying a said.Text) in this language: its template
        through the catalogue, its values the reader's way; a message no catalogue knows is shown as it is."""
        text = text_of(refusal)
        if not text.template:
            return str(text)
        template = self.translations.gettext(text.template)
        if not text.params:
            return template
        return template % {name: self._value(value) for name, value in text.params.items()}

    def _value(self, value: object) -> str:
        if isinstance(value, (Text, BaseException)):
            return self.said(value)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, (int, Decimal)):
            return self.number(value)
        if isinstance(value, timedelta):
            return self.duration(int(value.total_seconds()))
        return str(value)

    def ngettext(self, singular: str, plural: str, n: int, **variables) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    @property
    def zone(self) -> ZoneInfo:
        return ZONES[self.lang]

    def when(self, value: datetime | date | None) -> str:
        """A moment as the reader's clock shows it: "7 déc. 2026, 19:45" / "Dec 7, 2026, 18:45 UTC"."""
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return self._joined(format_date(value.astimezone(self.zone), "medium", locale=self.lang),
                                format_time(value, "HH:mm", tzinfo=self.zone, locale=self.lang))
        return format_date(value, "medium", locale=self.lang)

    def _joined(self, day: str, clock: str) -> str:
        return get_datetime_format("medium", locale=self.lang).format(clock, day) + ZONE_SUFFIX[self.lang]

    def day(self, value: datetime) -> str:
        return format_date(value.astimezone(self.zone), "medium", locale=self.lang)

    def short(self, value: datetime, *, with_time: bool) -> str:
        """A compact axis label: "7 déc." or "7 déc. 19:45" ("Dec 7", "Dec 7 18:45")."""
        day = format_datetime(value, "d MMM" if self.lang == "fr" else "MMM d", tzinfo=self.zone, locale=self.lang)
        return f"{day} {format_time(value, 'HH:mm', tzinfo=self.zone, locale=self.lang)}" if with_time else day

    def money(self, amount: Decimal | str | None, currency: str | None) -> str:
        """1 299,00 € / €1,299.00; without a currency, the amount alone."""
        if amount is None or amount == "":
            return "—"
        try:
            amount = Decimal(amount)
        except InvalidOperation:  # not an amount (an old event's free text): shown as it is
            return str(amount)
        if currency:
            return format_currency(amount, currency, locale=self.lang)
        return format_decimal(amount, format="#,##0.00", locale=self.lang)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.lang)

    def duration(self, seconds: int) -> str:
        """An interval in words, in the largest unit that holds it whole: "1 jour", "90 minutes" / "1 day"."""
        unit = next(name for name, size in UNITS if seconds % size == 0)
        # a threshold past any interval: Babel's own choice of unit would round 90 minutes to "2 hours"
        return format_timedelta(timedelta(seconds=seconds), threshold=10**12, granularity=unit, locale=self.lang)


def ui_for(catalogues: dict[str, GNUTranslations | NullTranslations], lang: str) -> Ui:
    lang = known(lang) or FALLBACK
    return Ui(lang, catalogues[lang])
