"""Seller names as the detector compares them.

Same convention as the page objects (case- and accent-insensitive, spaces collapsed, the
registered name a prefix of the shown one: "Boutique Éloïse" matches "boutique eloise SARL"),
rewritten here because the detector depends on nothing else of ours.
"""
from __future__ import annotations

import unicodedata


def normalise(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(folded.split())


def matches(registered: str, shown: str | None) -> bool:
    """True when shown is the registered seller; an empty registered name matches nothing."""
    wanted = normalise(registered)
    return bool(wanted) and shown is not None and normalise(shown).startswith(wanted)


def moved_away(registered: str | None, previous: str | None, current: str | None) -> bool:
    """The buy box was the registered seller's and now shows another, named, seller."""
    if not registered or not current or not normalise(current):
        return False
    return matches(registered, previous) and not matches(registered, current)
