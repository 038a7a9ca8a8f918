"""A marketplace adapter's identity card: which domains it serves, how it reads pages."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from spiders.page import PageInput, ProductPage


@dataclass(frozen=True)
class Marketplace:
    name: str
    # registrable domains this adapter serves ("amazon.fr"); subdomains match too
    domains: tuple[str, ...]
    # the page object class, or a switch picking one per layout variant
    page: Callable[[PageInput], ProductPage]
    needs_browser: bool = False
    # the marketplace's own identifier of a listing (ASIN, item number...), or None
    identify: Callable[[str], str | None] = field(default=lambda url: None)
    # canonical form of a listing URL: same product, same string
    canonicalize: Callable[[str], str] = field(default=lambda url: url)
    # politeness: concurrent requests per marketplace and delay between them (seconds)
    concurrency: int = 8
    delay: float = 0.0

    def serves(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def observe(self, page: PageInput):
        return self.page(page).observe()
