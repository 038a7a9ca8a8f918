"""Static fetches through Scrapy's own HTTP handler; the browser handler built on the first browser request.

Any static check may escalate to the browser, so the browser's download handler must serve http and https in
every crawl. Built at start-up, scrapy-playwright's handler cost each crawler of a pass Playwright's import and
a scan of the installed packages for its version line (~0.2 s for the first, ~0.1 s for each further
marketplace), although most passes never open a browser. This handler is Scrapy's own and makes the browser
one only when a request carries `meta["playwright"]`.
"""
from __future__ import annotations

import asyncio
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response


class BrowserOnDemandHandler(HTTP11DownloadHandler):
    lazy = False  # built with the crawler, like Scrapy's own http handler (its own cost is nothing)

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._browser_handler: asyncio.Future | None = None

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        handler = await self._browser()
        return await handler.download_request(request)

    async def _browser(self) -> Any:
        """scrapy-playwright's handler, started once; concurrent first requests wait for the same start."""
        starting = self._browser_handler
        if starting is None or (starting.done() and not starting.cancelled() and starting.exception()):
            self._browser_handler = asyncio.ensure_future(self._start_browser_handler())  # again after a failure
        return await asyncio.shield(self._browser_handler)

    async def _start_browser_handler(self) -> Any:
        from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler  # noqa: PLC0415 (the point)

        handler = ScrapyPlaywrightDownloadHandler.from_crawler(self._crawler)
        # what scrapy-playwright runs on `engine_started`, long past when this handler is built
        await handler._maybe_launch_in_thread()
        return handler

    async def close(self) -> None:
        await super().close()
        if self._browser_handler is None:
            return
        starting = self._browser_handler
        if not starting.done():
            await asyncio.wait([starting])
        if not starting.cancelled() and starting.exception() is None:  # a browser that never started has nothing to close
            await starting.result().close()
