"""Starting Playwright only when a page needs it.

scrapy-playwright starts its driver (a Node.js process) when the engine starts and the browser
on the first browser request. Vigie's passes are mostly static, so this provider defers the
driver as well: a pass that never asks for the browser starts neither. The browser it launches
reaches the network only through the egress proxy (crawler.egress_proxy), started with it.
"""
from __future__ import annotations

from typing import Any

from playwright.async_api import Browser
from scrapy_playwright.provider import PlaywrightBrowserProvider

from crawler.egress_proxy import EGRESS_OPTION, EgressProxy
from crawler.netguard import parse_networks


class LazyChromiumProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's default provider, with the driver started on the first launch."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        egress = config.launch_options.pop(EGRESS_OPTION, None) or {}
        self.proxy = EgressProxy(allow_private=bool(egress.get("allow_private")),
                                 allow_networks=parse_networks(egress.get("allow_networks", "")))
        self.proxy_port: int | None = None

    async def start(self) -> None:
        return None

    async def launch_browser(self) -> Browser:
        if self.playwright is None:
            await super().start()
        if self.proxy_port is None:
            self.proxy_port = await self.proxy.start()
            # Playwright sends loopback through the proxy too (`<-loopback>`), so nothing bypasses it
            self.config.launch_options["proxy"] = {"server": f"http://127.0.0.1:{self.proxy_port}"}
        return await super().launch_browser()

    async def close(self) -> None:
        await super().close()
        self.proxy.close()
