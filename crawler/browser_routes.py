"""What a browser page may fetch: the page and its data, not what only costs bandwidth or leaks.

Used as scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST: every request a page makes passes here.
Images, fonts and media are aborted unless a screenshot is taken (then the picture must look as
the buyer sees it). Requests to non-public hosts are aborted like the netguard refuses them for
static fetches: the netguard middleware only sees the first URL, the browser follows redirects
and runs the page's own scripts.
"""
from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from crawler.netguard import Network, UnsafeURL, check_public

HEAVY_TYPES = frozenset({"image", "font", "media"})
ALWAYS_BLOCKED_TYPES = frozenset({"media", "websocket", "eventsource", "manifest", "texttrack"})
INERT_SCHEMES = frozenset({"data", "blob", "about"})


class ResourcePolicy:
    """Callable `(playwright Request) -> bool`: True aborts the request."""

    def __init__(self, *, screenshots: bool, allow_private: bool, allow_networks: tuple[Network, ...] = ()):
        self.blocked_types = ALWAYS_BLOCKED_TYPES if screenshots else ALWAYS_BLOCKED_TYPES | HEAVY_TYPES
        self.allow_private = allow_private
        self.allow_networks = allow_networks
        self._verdicts: dict[tuple[str, str, int | None], bool] = {}  # per crawl: one DNS look-up per host

    async def __call__(self, request: Any) -> bool:
        if request.resource_type in self.blocked_types:
            return True
        return not await self.allowed_url(request.url)

    async def allowed_url(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in INERT_SCHEMES:
            return True
        try:
            key = (scheme, (parts.hostname or "").lower(), parts.port)
        except ValueError:
            return False
        if key not in self._verdicts:
            # resolving blocks: off the event loop the browser and the crawler share
            self._verdicts[key] = await asyncio.get_running_loop().run_in_executor(None, self._public, url)
        return self._verdicts[key]

    def _public(self, url: str) -> bool:
        try:
            check_public(url, allow_private=self.allow_private, allow_networks=self.allow_networks)
        except UnsafeURL:
            return False
        return True
