"""Starting Playwright only when a page needs it.

scrapy-playwright starts its driver (a Node.js process) when the engine starts and the browser
on the first browser request. Vigie's passes are mostly static, so this provider defers the
driver as well: a pass that never asks for the browser starts neither.
"""
from __future__ import annotations

from playwright.async_api import Browser
from scrapy_playwright.provider import PlaywrightBrowserProvider


class LazyChromiumProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's default provider, with the driver started on the first launch."""

    async def start(self) -> None:
        return None

    async def launch_browser(self) -> Browser:
        if self.playwright is None:
            await super().start()
        return await super().launch_browser()
