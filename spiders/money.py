"""Money from page text: Decimal, never float, in the marketplace's own format.

Every amount read from a page passes one gate, `plausible()`: a price is stored only when it is
an amount someone could pay. `"1e309"`, `"-5"`, `"NaN"`, a 5,000-digit number or `0.0001` are not
read as 1, 5, or anything else: they raise `ImplausibleAmount`, whose message says why, and the
page object records the field as not found (spiders.page). A wrong number would be worse than no
number: it makes a false abrupt-change alert.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from price_parser import Price

_SYMBOLS = {
    "€": "EUR", "£": "GBP", "$": "USD", "US $": "USD", "US$": "USD", "₹": "INR", "CHF": "CHF", "zł": "PLN",
    "R$": "BRL", "NT$": "TWD", "₩": "KRW", "원": "KRW", "₪": "ILS", "₸": "KZT", "Kč": "CZK", "lei": "RON",
    "Ft": "HUF", "₽": "RUB", "руб": "RUB", "₺": "TRY", "TL": "TRY", "¥": "JPY", "円": "JPY", "₫": "VND",
    "฿": "THB", "₴": "UAH", "₱": "PHP", "C$": "CAD", "CA$": "CAD", "CDN$": "CAD", "CDN": "CAD", "A$": "AUD", "AU$": "AUD",
    "S$": "SGD", "HK$": "HKD", "MX$": "MXN", "₦": "NGN",
}
_ISO_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")

# The bounds of a plausible amount. Above a hundred million (a Paris flat on Leboncoin stays below),
# or with fractions of a cent, it is a broken or hostile page, not a price. The currencies of the
# marketplaces Vigie reads (EUR, GBP, USD, PLN, INR, CHF) have at most 2 decimals.
MAX_AMOUNT = Decimal(100_000_000)
MAX_DECIMALS = 2
_MAX_DIGITS = 30  # longer digit strings are refused before any arithmetic on them

# A machine-written amount (JSON-LD, a content attribute): "379.99", "-5", "1.5e3", "NaN", "Infinity"
_MACHINE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.I)
_EXPONENT = re.compile(r"[eE][+-]?\d")
_HEX = re.compile(r"(?<![\w.])[+-]?0x[0-9a-f]", re.I)  # "0x1p3": C's hexadecimal float, read as 0 by price-parser
_MINUS = re.compile(r"(?:^|[\s:(€$£])[-\u2212\u2013]\s*$")  # "-5 €", "Prix : −5", "€ -5"


class ImplausibleAmount(ValueError):
    """An amount stands where a price belongs, but no one pays it; the message says why."""


def parse(text: str | None, *, decimal_separator: str | None = None) -> tuple[Decimal | None, str | None]:
    """`"1 299,00 €"` → (Decimal("1299.00"), "EUR"). Unknown or absent → (None, None).

    Raises ImplausibleAmount when the text holds an amount that fails the gate ("-5 €", "1e309 €").
    """
    if text is None:
        return None, None
    text = str(text).replace("\xa0", " ").replace("\u202f", " ").strip()
    if not text:
        return None, None
    if _HEX.search(text):
        raise ImplausibleAmount(f"{_show(text)} is in hexadecimal notation")
    parsed = Price.fromstring(text, decimal_separator=decimal_separator)
    if parsed.amount is None:
        return None, currency_code(parsed.currency)
    _refuse_notation(text, parsed.amount_text or "")
    return plausible(parsed.amount, shown=text), _iso_code_in(text) or _sign_in(text) or currency_code(parsed.currency)


def currency_of(text: str | None) -> str | None:
    """The currency a price text names, whatever its amount (never raises)."""
    if text is None or not str(text).strip():
        return None
    return currency_code(Price.fromstring(str(text)).currency)


def currency_code(symbol: str | None) -> str | None:
    if not symbol:
        return None
    symbol = symbol.strip()
    if len(symbol) == 3 and symbol.isalpha() and symbol.upper() in _iso_codes():
        return symbol.upper()
    return _SYMBOLS.get(symbol) or _SYMBOLS.get(symbol.upper()) or _SYMBOLS.get(symbol.casefold())


def _iso_code_in(text: str) -> str | None:
    """An ISO 4217 code written beside the amount ("$ 12.990 CLP") names the currency better than its sign."""
    codes = [c for c in _ISO_CODE.findall(text) if c in _iso_codes()]
    return codes[0] if len(set(codes)) == 1 else None


_SIGNS = sorted((sign for sign in _SYMBOLS if len(sign) > 1 and not sign.isalpha()), key=len, reverse=True)


def _sign_in(text: str) -> str | None:
    """A dollar sign with its country ("CDN$", "R$", "NT$"): price-parser reads "CDN$" as N$, Namibia's."""
    for sign in _SIGNS:
        if sign in text:
            return _SYMBOLS[sign]
    return None


@cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies  # Babel's CLDR list of ISO 4217 codes

    return frozenset(list_currencies())


def decimal_or_none(value: object) -> Decimal | None:
    """A machine-readable amount (JSON-LD "379.99", 379.99, "379,99") to Decimal; None when it is no number.

    Raises ImplausibleAmount for a number that fails the gate.
    """
    if value is None or isinstance(value, (bool, dict, list, tuple)):
        return None
    if isinstance(value, (int, float, Decimal)):
        return _machine_number(value)
    raw = str(value).strip().replace(",", ".")
    return _machine_text(raw) if _MACHINE.fullmatch(raw) else None


def amount(value: object, *, decimal_separator: str | None = None) -> Decimal | None:
    """A structured-data value: a JSON number or machine text ("19.99") exactly, human text
    ("19,99 €") through price-parser. None when there is no amount; ImplausibleAmount when it fails the gate."""
    if value is None or isinstance(value, (bool, dict, list, tuple)):
        return None
    if isinstance(value, (int, float, Decimal)):
        return _machine_number(value)
    raw = str(value).strip()
    if _MACHINE.fullmatch(raw):
        return _machine_text(raw)
    found, _ = parse(raw, decimal_separator=decimal_separator)
    return found


def plausible(value: Decimal, *, shown: object) -> Decimal:
    """The gate: `value` itself when it is an amount someone could pay, else ImplausibleAmount.
    `shown` is what the page wrote, quoted in the reason."""
    what = _show(shown)
    if value.is_zero() and value.is_signed():
        value = value.copy_abs()  # "-0" is a free item, not a negative price: stored and shown as 0
    if not value.is_finite():
        raise ImplausibleAmount(f"{what} is not a number")
    if value < 0:
        raise ImplausibleAmount(f"{what} is negative")
    if value > MAX_AMOUNT:
        raise ImplausibleAmount(f"{what} is above {MAX_AMOUNT:,} (no plausible price)")
    if value != value.to_integral_value() and -value.normalize().as_tuple().exponent > MAX_DECIMALS:
        raise ImplausibleAmount(f"{what} has more than {MAX_DECIMALS} decimals")
    return value


def _machine_number(value: int | float | Decimal) -> Decimal:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ImplausibleAmount(f"{value!r} is not a number")
        number = Decimal(repr(value))  # shortest round-trip text, so 19.99 stays 19.99
    else:
        number = Decimal(value)
    if number.is_finite() and number.adjusted() >= _MAX_DIGITS:  # before formatting a huge int into the reason
        raise ImplausibleAmount(f"a {number.adjusted() + 1}-digit number is above {MAX_AMOUNT:,} (no plausible price)")
    return plausible(number, shown=value)


def _machine_text(raw: str) -> Decimal:
    """Machine text that matched _MACHINE: exponents and overlong digit strings are refused unread."""
    if _EXPONENT.search(raw):
        raise ImplausibleAmount(f"{_show(raw)} is in exponent notation")
    digits = sum(c.isdigit() for c in raw)
    if digits > _MAX_DIGITS:
        raise ImplausibleAmount(f"{_show(raw)} has {digits} digits (no plausible price)")
    try:
        number = Decimal(raw)
    except InvalidOperation:  # "1." and the like, which the pattern lets through
        raise ImplausibleAmount(f"{_show(raw)} is not a number") from None
    return plausible(number, shown=raw)


def _refuse_notation(text: str, amount_text: str) -> None:
    """What price-parser drops around the number it picked: a minus sign before, an exponent after,
    digits beyond any plausible price."""
    start = text.find(amount_text) if amount_text else -1
    if start < 0:
        return
    if _MINUS.search(text[:start]):
        raise ImplausibleAmount(f"{_show(text)} is negative")
    if _EXPONENT.match(text[start + len(amount_text):]):
        raise ImplausibleAmount(f"{_show(text)} is in exponent notation")
    digits = sum(c.isdigit() for c in amount_text)
    if digits > _MAX_DIGITS:
        raise ImplausibleAmount(f"{_show(text)} has {digits} digits (no plausible price)")


def _show(value: object) -> str:
    """The page's text, quoted and cut short: a reason is one line, whatever the page holds."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 40:
        return f"{text[:20]!r}… ({len(text):,} characters)"
    return repr(text)
