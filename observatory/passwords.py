"""Which passwords are refused: too short, too long, or among those a guesser tries first.

Length alone lets `aaaaaaaaaa`, `1234567890` and `Password2024!` through, and they fall in the first
seconds of a guessing attack, login throttle or not. So a password is also refused when it is on a small
bundled list of the most common ones (compared lower-cased, with digits and symbols at its ends cut and
leetspeak read back), when it is the user's email or the part before the @, when it is one character
repeated, or when it uses too few different characters. The error never quotes the password.
"""
from __future__ import annotations

import string
from functools import cache
from importlib.resources import files

MIN_CHARS = 10
MAX_CHARS = 1_000  # a passphrase, not a file: argon2 hashes whatever it is given
MIN_DISTINCT = 5  # `abababababab`, `1212121212`: long but guessed at once
LIST = "common_passwords.txt"

_EDGES = string.digits + string.punctuation + " "
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})


class WeakPassword(ValueError):
    """One line saying why the password is refused (without quoting it)."""


@cache
def common_passwords() -> frozenset[str]:
    text = files("observatory").joinpath(LIST).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str, *, email: str | None = None) -> None:
    """Raises WeakPassword when the password must not be used (by the user with this email)."""
    if len(password) < MIN_CHARS:
        raise WeakPassword(f"the password must have at least {MIN_CHARS} characters")
    if len(password) > MAX_CHARS:
        raise WeakPassword(f"the password has {len(password):,} characters: at most {MAX_CHARS:,}")
    distinct = len(set(password))
    if distinct == 1:
        raise WeakPassword("the password is one character repeated: choose a passphrase of several words")
    if distinct < MIN_DISTINCT:
        raise WeakPassword(f"the password uses only {distinct} different characters: at least {MIN_DISTINCT}")
    forms = _forms(password)
    if email and forms & _email_forms(email):
        raise WeakPassword("the password must not be the email address or its part before the @")
    if forms & common_passwords():
        raise WeakPassword("the password is one of the most common passwords: choose a passphrase of several words")


def _forms(text: str) -> set[str]:
    """`text` as a guesser's list would spell it: lower case, ends cut, leetspeak read back."""
    lower = text.strip().casefold()
    cut = lower.strip(_EDGES)
    return {form for form in (lower, cut, lower.translate(_LEET).strip(_EDGES), cut.translate(_LEET)) if form}


def _email_forms(email: str) -> set[str]:
    email = email.strip().casefold()
    local = email.partition("@")[0]
    return _forms(email) | _forms(local) | {local.replace(".", ""), local.replace(".", " ")}
