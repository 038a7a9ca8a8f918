"""Alert emails: one context per event, rendered to a subject, a text body and an HTML body.

The wording lives in the templates (alerts/templates/<lang>/), the formatting of money, percentages
and dates here, with babel, so that translators never touch Python; the check's reasons become sentences
in alerts/reasons.py (the raw ones stay in the store, the API and the logs). Page content (titles, seller
names, reasons) is untrusted: the HTML templates are autoescaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alerts.reasons import human_reasons, marketplace_name
from detector.model import EventKind
from store.models import Event, Listing

if TYPE_CHECKING:
    from babel import Locale
    from jinja2 import Template

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
DATE_PATTERNS = {"fr": "d MMMM y 'à' HH:mm:ss ZZZZ", "en": "d MMMM y 'at' HH:mm:ss ZZZZ"}
DISPLAY_ZONE = "Europe/Paris"
MONEY_KINDS = frozenset({EventKind.PRICE_CHANGE.value, EventKind.SHIPPING_FEE_CHANGE.value})
SUBJECT_LABEL_MAX = 80
# kinds whose emails have templates of their own (<lang>/<set>_subject.txt.j2, _event.txt.j2, _event.html.j2)
# and facts of their own (alerts.shop_render): each kind of watched thing is its own room
TEMPLATE_SETS = {EventKind.SHOP_OFFER_MISSING.value: "shop", EventKind.SHOP_OFFER_NEW.value: "shop",
                 EventKind.SHOP_GONE.value: "shop",
                 EventKind.SEARCH_DROPPED.value: "search", EventKind.NOT_INDEXED.value: "search"}
ROOM_FACTS = {"shop": ("alerts.shop_render", "shop_facts"), "search": ("alerts.search_render", "search_facts")}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Templates:
    """The email templates. Jinja2 (and Babel, for the formatting) load on the first email built: every
    `vigie check` and `vigie run` tick delivers what is pending, and most of them have nothing to send."""

    def get_template(self, name: str) -> Template:
        return self.environment.get_template(name)

    @cached_property
    def environment(self):
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

        return Environment(
            loader=PackageLoader("alerts"),
            # templates are named *.html.j2: the ".j2" suffix would hide them from a plain "html" rule
            autoescape=select_autoescape(["html", "html.j2"]),
            extensions=["jinja2.ext.do"],
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )


def make_environment() -> Templates:
    return Templates()


@cache
def locale_for(lang: str) -> Locale:
    from babel import Locale

    return Locale.parse(LOCALES[lang])


def render(
    event: Event, listing: Listing, *, lang: str, environment: Templates | None = None, zone: str = DISPLAY_ZONE
) -> RenderedEmail:
    """Render one event for one language (unknown languages fall back to French)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    env = environment or make_environment()
    context = event_context(event, listing, lang=lang, zone=zone)
    room = TEMPLATE_SETS.get(event.kind)
    prefix = f"{lang}/{room}_" if room else f"{lang}/"
    if room:
        import importlib

        module, name = ROOM_FACTS[room]
        facts = getattr(importlib.import_module(module), name)
        context.update(facts(context["details"], locale_for(lang), zone=zone))
    subject = env.get_template(f"{prefix}subject.txt.j2").render(context)
    return RenderedEmail(
        subject=one_line(subject),
        text=env.get_template(f"{prefix}event.txt.j2").render(context),
        html=env.get_template(f"{prefix}event.html.j2").render(context),
    )


def event_context(event: Event, listing: Listing, *, lang: str, zone: str = DISPLAY_ZONE) -> dict[str, Any]:
    from babel.dates import format_datetime

    locale = locale_for(lang)
    details = {str(k): str(v) for k, v in (event.details or {}).items()}
    currency = (details.get("currency") or "").strip().upper() or None
    money = event.kind in MONEY_KINDS
    detected = event.detected_at.astimezone(UTC)
    label = (listing.label or "").strip() or listing.url
    return {
        "kind": event.kind,
        "event_id": event.id,
        "listing": {
            "label": label,
            "short_label": shorten(one_line(label), SUBJECT_LABEL_MAX),
            "url": listing.url,
            "linkable": urlsplit(listing.url).scheme in ("http", "https"),
            "marketplace": marketplace_name(listing.marketplace, listing.url),
            "seller": listing.seller,
        },
        "detected_local": format_datetime(detected, DATE_PATTERNS[lang], tzinfo=ZoneInfo(zone), locale=locale),
        "detected_zone": zone,
        "detected_utc": detected.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "before": format_value(event.before, currency, locale) if money else event.before,
        "after": format_value(event.after, currency, locale) if money else event.after,
        "baseline": format_value(details.get("baseline"), currency, locale) if money else None,
        "change": format_change(details.get("change_pct"), locale),
        "free_to_paid": details.get("rule") == "free_to_paid",
        "reasons": sentence_case(human_reasons(details.get("reasons"), lang)),
        "details": details,
    }


def format_value(raw: str | None, currency: str | None, locale: Locale) -> str | None:
    """A stored decimal string as money in the reader's locale; anything unparseable as it came."""
    from babel.numbers import format_currency, format_decimal

    if raw is None or raw == "":
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return raw
    if not amount.is_finite():
        return raw
    if currency and re.fullmatch(r"[A-Z]{3}", currency):
        return format_currency(amount, currency, locale=locale)
    return format_decimal(amount, format="#,##0.00", locale=locale)


def format_change(raw: str | None, locale: Locale) -> str | None:
    """"+25.0" (percent points) → "+25,0 %"; None when absent or unbounded (a change from zero)."""
    from babel.numbers import format_percent

    if not raw:
        return None
    try:
        pct = Decimal(raw)
    except InvalidOperation:
        return None
    if not pct.is_finite():
        return None
    return format_percent(pct / 100, format="+#,##0.0%;-#,##0.0%", locale=locale)


def sentence_case(sentences: list[str]) -> list[str]:
    """The first of a run of sentences with a capital: "La page répond…; constat confirmé…"."""
    return [sentences[0][:1].upper() + sentences[0][1:], *sentences[1:]] if sentences else []


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
