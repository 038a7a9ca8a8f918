"""The download size limit, for browser pages too.

Scrapy stops a static download at DOWNLOAD_MAXSIZE; Chromium has no such limit and took in a
100 MB page whole (3 GB of memory for one tab, measured). Each browser page gets a DevTools
listener counting the bytes of every response it receives (decoded: a gzip bomb counts at its
real size); when one passes the limit the page is closed: that frees what it loaded at once
(sending it to about:blank instead left 3 GB in the renderer for four such pages, against 1 GB,
and took 4 times as long). The reason goes into the request's meta, where the spider's errback
finds it (crawler.fetch_failures), so the check is an `error` that says what happened.
scrapy-playwright retries a request whose page closed, on a new page: that page is closed before
it navigates, so the retries cost nothing.
"""
from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

TOO_BIG_META = "vigie_too_big"


class PageSizeGuard:
    """One page's listener; `watch(request)` points it at the request the page is loading now."""

    def __init__(self, page: Any, session: Any, limit: int):
        self.page = weakref.ref(page)  # the guards' map holds pages weakly: no strong reference back
        self.session = session
        self.limit = limit
        self.meta: dict | None = None
        self.received: dict[str, int] = {}
        self._stopping: set[asyncio.Task] = set()  # referenced until done, or asyncio may drop them

    def watch(self, meta: dict) -> None:
        self.meta = meta
        self.received.clear()

    def on_data(self, event: dict) -> None:
        request_id = event.get("requestId", "")
        total = self.received.get(request_id, 0) + int(event.get("dataLength") or 0)
        self.received[request_id] = total
        meta = self.meta
        if total <= self.limit or meta is None or TOO_BIG_META in meta:
            return
        meta[TOO_BIG_META] = (f"size limit exceeded: the browser received more than {total} bytes for one response "
                              f"of the page, over the {self.limit}-byte download limit")
        task = asyncio.ensure_future(self._stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    def on_done(self, event: dict) -> None:
        self.received.pop(event.get("requestId", ""), None)

    async def _stop(self) -> None:
        page = self.page()
        if page is not None:
            await close_quietly(page)


async def close_quietly(page: Any) -> None:
    with contextlib.suppress(Exception):  # closing already, or the browser went: it stops either way
        await page.close()


class SizeGuards:
    """The guards of a crawl's pages, kept as long as their pages live (pages are reused)."""

    def __init__(self, limit: int):
        self.limit = limit
        # a guard holds its page weakly, so a closed page and its guard go together
        self._guards: weakref.WeakKeyDictionary[Any, PageSizeGuard] = weakref.WeakKeyDictionary()

    async def watch(self, page: Any, request: Any) -> None:
        """Called before the page navigates (scrapy-playwright's page init callback)."""
        if self.limit <= 0:
            return
        if TOO_BIG_META in request.meta:  # scrapy-playwright retrying a page closed for its size
            await close_quietly(page)
            return
        guard = self._guards.get(page)
        if guard is None:
            session = await page.context.new_cdp_session(page)
            guard = PageSizeGuard(page, session, self.limit)
            session.on("Network.dataReceived", guard.on_data)
            session.on("Network.loadingFinished", guard.on_done)
            session.on("Network.loadingFailed", guard.on_done)
            await session.send("Network.enable")
            self._guards[page] = guard
        guard.watch(request.meta)
