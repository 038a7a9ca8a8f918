"""The browser's pages and its lifetime: pages reused between checks (crawler.browser_pool), and a
fresh Chromium after N pages or when its memory passes a limit.

Chromium grows over thousands of pages (caches, leaked renderers). When a limit is reached the
middleware stops handing out browser pages, lets the pages in flight finish, closes the browser,
and lets the next request launch a new one (scrapy-playwright relaunches a disconnected browser
with PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER). Static requests pass untouched.
"""
from __future__ import annotations

import asyncio
from typing import Any

from scrapy.exceptions import NotConfigured

from crawler.browser_memory import browser_pss
from crawler.browser_pool import USES_PER_PAGE, PagePool
from crawler.browser_size import SizeGuards

MEMORY_CHECK_EVERY = 25  # pages: reading every process's smaps_rollup costs ~50 ms, not worth it per page


class BrowserRecycleMiddleware:
    def __init__(self, crawler: Any, *, max_pages: int, max_memory_bytes: int, open_pages: int,
                 uses_per_page: int = USES_PER_PAGE, max_download_bytes: int = 0):
        self.crawler = crawler
        self.size_guards = SizeGuards(max_download_bytes)  # Scrapy's DOWNLOAD_MAXSIZE, for browser pages too
        self.pool = PagePool(open_pages, uses=uses_per_page)
        self.max_pages = max_pages
        self.max_memory_bytes = max_memory_bytes
        self.pages = 0  # pages handed to the current browser
        self.in_flight = 0
        self.browser: Any = None  # the current playwright Browser, seen through a page
        self._open = asyncio.Event()
        self._open.set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserRecycleMiddleware:
        settings = crawler.settings
        if not settings.getbool("VIGIE_BROWSER_ENABLED", False):
            raise NotConfigured("browser path disabled")
        return cls(crawler, max_pages=settings.getint("VIGIE_BROWSER_RECYCLE_PAGES", 1000),
                   max_memory_bytes=settings.getint("VIGIE_BROWSER_RECYCLE_MEMORY_MB", 1536) * 1024 * 1024,
                   open_pages=settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 8),
                   uses_per_page=settings.getint("VIGIE_BROWSER_PAGE_USES", USES_PER_PAGE),
                   max_download_bytes=settings.getint("DOWNLOAD_MAXSIZE"))

    async def process_request(self, request: Any) -> None:
        if not request.meta.get("playwright"):
            return None
        await self.pool.hold_slot()
        while not self._open.is_set():
            await self._open.wait()
        # no await from here on: a page is taken and counted in flight before a recycle can start
        self.pool.lend(request.meta)
        self.in_flight += 1
        self.pages += 1
        request.meta["vigie_browser_page"] = True
        request.meta.setdefault("playwright_page_init_callback", self._remember_browser)
        # this request is in flight, so its own end starts the recycle even if the others end first
        if self.pages >= self.max_pages or (self.pages % MEMORY_CHECK_EVERY == 0 and await self.over_memory()):
            self._open.clear()  # drain: the next browser request waits for a fresh browser
        return None

    async def process_response(self, request: Any, response: Any) -> Any:
        await self._finished(request, reusable=True)
        return response

    async def process_exception(self, request: Any, exception: BaseException) -> None:
        await self._finished(request, reusable=False)
        return None

    @property
    def draining(self) -> bool:
        """No new browser page until the pages in flight finish and a fresh browser replaces this one."""
        return not self._open.is_set()

    async def over_memory(self) -> bool:
        # ~50 ms of reading /proc with 8 tabs open: in a thread, not on the loop the crawl runs on
        return await asyncio.to_thread(browser_pss) > self.max_memory_bytes

    async def _remember_browser(self, page: Any, request: Any) -> None:
        self.browser = page.context.browser
        await self.size_guards.watch(page, request)

    async def _finished(self, request: Any, *, reusable: bool) -> None:
        if not request.meta.pop("vigie_browser_page", False):
            return
        await self.pool.give_back(request.meta, reusable=reusable)
        self.in_flight -= 1
        if not self._open.is_set() and self.in_flight == 0:
            await self.recycle()

    async def recycle(self) -> None:
        browser, self.browser = self.browser, None
        self.pool.forget()
        if browser is not None and browser.is_connected():
            await browser.close()
            # let scrapy-playwright's "disconnected" listener forget the old browser first
            for _ in range(3):
                await asyncio.sleep(0)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("vigie/browser/recycled")
        self.pages = 0
        self._open.set()
