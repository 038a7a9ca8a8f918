"""Bot walls recognised from their content, whatever HTTP status they were served with.

Real product pages embed the same vendors' *tags* (DataDome's tags.js, PerimeterX's init.js,
Cloudflare's beacon), so a wall is recognised by the challenge itself, not by the vendor's
name appearing somewhere. Challenge pages are small: most signs count only on small pages,
so a 1 MB product page mentioning a captcha script in passing is never taken for a wall.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping

CAPTCHA_FORM = "captcha form"  # the weakest sign: a captcha widget alone, on a small page

# The largest wall seen is PerimeterX's ~17 KB "Press & Hold"; product pages are 150 KB and up.
SMALL_PAGE = 60_000


@dataclass(frozen=True)
class Sign:
    reason: str
    pattern: re.Pattern[str]
    small_only: bool = True
    # lowercase literals, one of which the pattern cannot match without: a cheap `in` test spares
    # the case-insensitive regex scan on the pages that are not walls, i.e. nearly all of them
    triggers: tuple[str, ...] = ()

    @property
    def btriggers(self) -> tuple[bytes, ...]:
        return _BYTES_TRIGGERS[self.reason]


SIGNS: tuple[Sign, ...] = (
    Sign("DataDome captcha", re.compile(
        r"geo\.captcha-delivery\.com|ct\.captcha-delivery\.com/c\.js|title=\"DataDome CAPTCHA\"", re.I),
        triggers=("captcha-delivery", "datadome")),
    Sign("PerimeterX challenge", re.compile(
        r"id=[\"']px-captcha[\"']|captcha\.px-cdn\.net|Press\s*(?:&amp;|&)\s*Hold|_pxCaptcha", re.I),
        triggers=("px-captcha", "px-cdn", "press", "_pxcaptcha")),
    Sign("Cloudflare challenge", re.compile(
        r"cdn-cgi/challenge-platform|window\._cf_chl_opt|cf-chl-|challenges\.cloudflare\.com/turnstile"
        r"|<title>\s*(?:Just a moment|Un instant|Einen Moment)[.…]*\s*</title>"
        r"|Attention Required! \| Cloudflare|Checking your browser before accessing", re.I),
        triggers=("challenge-platform", "_cf_chl", "cf-chl-", "turnstile", "just a moment", "un instant",
                  "einen moment", "attention required", "checking your browser")),
    Sign("Cloudflare block", re.compile(
        r"\A(?=.*Sorry, you have been blocked)(?=.*Cloudflare Ray ID)", re.I | re.S),
        triggers=("you have been blocked",)),
    Sign("AWS WAF challenge", re.compile(
        r"AwsWafIntegration|awswaf\.com/[^\"']*(?:challenge|captcha)\.js|window\.gokuProps", re.I),
        triggers=("awswaf", "gokuprops")),
    # both the image captcha and the button-only "continue shopping" page post to validateCaptcha
    Sign("Amazon captcha", re.compile(
        r"/errors/validateCaptcha|opfcaptcha\.amazon\.|Type the characters you see in this image"
        r"|Saisissez les caract[eè]res que vous voyez", re.I),
        triggers=("validatecaptcha", "opfcaptcha", "type the characters", "saisissez les caract")),
    Sign("Imperva challenge", re.compile(r"_Incapsula_Resource|Incapsula incident ID", re.I),
         triggers=("incapsula",)),
    Sign("Akamai block", re.compile(
        r"\A(?=.*<title>\s*Access Denied\s*</title>)(?=.*errors\.edgesuite\.net)", re.I | re.S),
        triggers=("edgesuite",)),
    # a waiting room in front of the shop (Queue-it), sometimes with a captcha: nothing about the listing
    Sign("Queue-it waiting room", re.compile(
        r"<title>\s*Queue-it\s*</title>|queue-it\.net/[^\"']*(?:QueueFront|queueit)|id=[\"']queue-it_log[\"']", re.I),
        triggers=("queue-it",)),
    Sign(CAPTCHA_FORM, re.compile(r"class=[\"'](?:g-recaptcha|h-captcha|cf-turnstile)[\"']", re.I),
         triggers=("recaptcha", "h-captcha", "turnstile")),
)

_BYTES_TRIGGERS = {sign.reason: tuple(t.encode("ascii") for t in sign.triggers) for sign in SIGNS}


def detect_wall(text: str, headers: Mapping[str, str] | None = None) -> str | None:
    """The name of the wall this page is, or None."""
    found = header_wall(headers, text)
    if found:
        return found
    small = len(text) <= SMALL_PAGE
    signs = [sign for sign in SIGNS if small or not sign.small_only]
    if not signs:  # a big page: every sign counts on small pages only, so nothing to lowercase or scan
        return None
    lowered = _lowered(text)
    for sign in signs:
        if sign.triggers and not any(t in lowered for t in sign.btriggers):
            continue
        if sign.pattern.search(text):
            return sign.reason
    return None


def header_wall(headers: Mapping[str, str] | None, text: str = "") -> str | None:
    """The wall the response headers announce, or None: the cheap sign, read before any of the body."""
    headers = {k.lower(): str(v) for k, v in (headers or {}).items()}
    if headers.get("x-datadome") and "captcha-delivery" in text:
        return "DataDome captcha"
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge"
    if headers.get("x-amzn-waf-action", "").lower() in ("captcha", "challenge"):
        return "AWS WAF challenge"
    return None


# the only characters whose lowercase holds an ASCII letter (İ → i̇, Kelvin sign → k)
_ASCII_LOWERING = ("\u0130", "\u212a")


def _lowered(text: str) -> bytes:
    """The text lowercased for the trigger tests, as UTF-8 bytes: the triggers are ASCII, and bytes
    lowercase ASCII ten times faster than `str.lower()` folds a page with accents; the two characters
    Unicode lowercases to ASCII take the slow path so the triggers see exactly what they did."""
    if any(char in text for char in _ASCII_LOWERING):
        return text.lower().encode("utf-8", "surrogatepass")
    return text.encode("utf-8", "surrogatepass").lower()


def normalise(name: str) -> str:
    """Seller names compared case- and accent-insensitively, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(folded.split())
