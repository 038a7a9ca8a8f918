"""eBay's national sites: which hosts they use and how each writes money."""
from __future__ import annotations

from urllib.parse import urlsplit

DOMAINS = (
    "ebay.fr", "ebay.de", "ebay.com", "ebay.co.uk", "ebay.it", "ebay.es", "ebay.nl", "ebay.be",
    "ebay.at", "ebay.ch", "ebay.ie", "ebay.ca", "ebay.com.au", "ebay.pl",
)
# sites that write "1,299.00"; every other one writes "1.299,00" or "1 299,00"
_POINT_SITES = frozenset({"com", "co.uk", "ie", "ca", "com.au", "ch"})
_SITE_CURRENCY = {"com": "USD", "co.uk": "GBP", "ch": "CHF", "ca": "CAD", "com.au": "AUD", "pl": "PLN"}
# eBay's own price prefixes, which price-parser does not map to a code
EBAY_SYMBOLS = (("US $", "USD"), ("C $", "CAD"), ("AU $", "AUD"), ("£", "GBP"), ("€", "EUR"), ("zł", "PLN"))


def site_tld(url: str) -> str | None:
    """`"https://befr.ebay.be/itm/1"` → `"be"`; None when the host is not an eBay site."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain in sorted(DOMAINS, key=len, reverse=True):
        if host == domain or host.endswith("." + domain):
            return domain.removeprefix("ebay.")
    return None


def decimal_separator(tld: str | None) -> str:
    return "." if tld in _POINT_SITES else ","


def site_currency(tld: str | None) -> str | None:
    if tld is None:
        return None
    return _SITE_CURRENCY.get(tld, "EUR")


def currency_in(text: str | None) -> str | None:
    """The currency an eBay price text names ("US $136.00", "EUR 164,00", "£64.99")."""
    if not text:
        return None
    for prefix, code in EBAY_SYMBOLS:
        if prefix in text:
            return code
    for word in text.replace("\xa0", " ").split():
        if len(word) == 3 and word.isalpha() and word.isupper():
            return word
    return None
