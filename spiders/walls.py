"""Bot walls recognised from their content, whatever HTTP status they were served with.

Real product pages embed the same vendors' *tags* (DataDome's tags.js, PerimeterX's init.js),
so a wall is recognised by the challenge itself, not by the vendor's name appearing somewhere.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Mapping

# A challenge page is small; a product page that merely loads a vendor tag is not.
SMALL_PAGE = 60_000

_SIGNS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # (reason, pattern, only on small pages)
    ("DataDome captcha", re.compile(r"geo\.captcha-delivery\.com|ct\.captcha-delivery\.com/c\.js", re.I), True),
    ("PerimeterX challenge", re.compile(r"px-captcha|Press\s*(?:&amp;|&)\s*Hold", re.I), False),
    ("Cloudflare challenge", re.compile(r"cdn-cgi/challenge-platform|cf-chl-|<title>Just a moment\.\.\.</title>|Attention Required! \| Cloudflare", re.I), True),
    ("AWS WAF challenge", re.compile(r"AwsWafIntegration|awswaf\.com/[^\"']*challenge\.js", re.I), True),
    ("Amazon captcha", re.compile(r"/errors/validateCaptcha", re.I), True),
    ("captcha form", re.compile(r"class=[\"'](?:g-recaptcha|h-captcha)[\"']", re.I), True),
)


def detect_wall(text: str, headers: Mapping[str, str] | None = None) -> str | None:
    """The name of the wall this page is, or None."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if headers.get("x-datadome") and "captcha-delivery" in text:
        return "DataDome captcha"
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge"
    small = len(text) <= SMALL_PAGE
    for reason, pattern, small_only in _SIGNS:
        if (small or not small_only) and pattern.search(text):
            return reason
    return None


def normalise(name: str) -> str:
    """Seller names compared case- and accent-insensitively, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(folded.split())
