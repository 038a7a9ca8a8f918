"""Money from page text: Decimal, never float, in the marketplace's own format."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from price_parser import Price

_SYMBOLS = {"€": "EUR", "£": "GBP", "$": "USD", "US $": "USD", "US$": "USD", "₹": "INR", "CHF": "CHF", "zł": "PLN"}


def parse(text: str | None, *, decimal_separator: str | None = None) -> tuple[Decimal | None, str | None]:
    """`"1 299,00 €"` → (Decimal("1299.00"), "EUR"). Unknown or absent → (None, None)."""
    if text is None:
        return None, None
    text = str(text).replace("\xa0", " ").replace("\u202f", " ").strip()
    if not text:
        return None, None
    parsed = Price.fromstring(text, decimal_separator=decimal_separator)
    return parsed.amount, currency_code(parsed.currency)


def currency_code(symbol: str | None) -> str | None:
    if not symbol:
        return None
    symbol = symbol.strip()
    if len(symbol) == 3 and symbol.isalpha():
        return symbol.upper()
    return _SYMBOLS.get(symbol) or _SYMBOLS.get(symbol.upper())


def decimal_or_none(value: object) -> Decimal | None:
    """A machine-readable amount (JSON-LD "379.99", 379.99 as text) to Decimal."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
