"""Every marketplace adapter, by name and by domain. Adding one = one module + one line here."""
from __future__ import annotations

from spiders.generic import GENERIC
from spiders.marketplace import Marketplace

# Order matters only for overlapping domains: the first adapter that serves a URL wins.
MARKETPLACES: tuple[Marketplace, ...] = (GENERIC,)

_BY_NAME = {m.name: m for m in MARKETPLACES}


def names() -> list[str]:
    return sorted(_BY_NAME)


def by_name(name: str) -> Marketplace:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown marketplace {name!r} (known: {', '.join(names())})") from None


def for_url(url: str) -> Marketplace:
    """The adapter serving this URL's domain; the generic schema.org reader otherwise."""
    for marketplace in MARKETPLACES:
        if marketplace is not GENERIC and marketplace.serves(url):
            return marketplace
    return GENERIC
