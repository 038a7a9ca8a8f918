"""Every marketplace adapter, by name and by domain.

An adapter is any module of this package that defines `MARKETPLACE`; adding an eleventh
marketplace is one new module (plus its fixtures), nothing to register by hand.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import spiders
from spiders.marketplace import Marketplace

GENERIC_NAME = "generic"


@cache
def all_marketplaces() -> tuple[Marketplace, ...]:
    found = []
    for info in sorted(pkgutil.iter_modules(spiders.__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"spiders.{info.name}")
        except Exception as exc:  # name the broken adapter instead of failing every marketplace obscurely
            raise RuntimeError(f"marketplace module spiders.{info.name} failed to import: {exc}") from exc
        marketplace = getattr(module, "MARKETPLACE", None)
        if isinstance(marketplace, Marketplace):
            found.append(marketplace)
    return tuple(found)


def names() -> list[str]:
    return sorted(m.name for m in all_marketplaces())


def by_name(name: str) -> Marketplace:
    for marketplace in all_marketplaces():
        if marketplace.name == name:
            return marketplace
    raise KeyError(f"unknown marketplace {name!r} (known: {', '.join(names())})")


def for_url(url: str) -> Marketplace:
    """The adapter serving this URL's domain; the generic schema.org reader otherwise."""
    for marketplace in all_marketplaces():
        if marketplace.name != GENERIC_NAME and marketplace.serves(url):
            return marketplace
    return by_name(GENERIC_NAME)
