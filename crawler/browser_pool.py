"""Browser pages kept open and reused from one check to the next.

scrapy-playwright opens a page per request and closes it after; on 2 cores opening and closing a
page (a new target, Playwright's per-page set-up) costs Chromium more than loading a product page.
Each browser request holds one of `size` slots; it takes an idle open page if there is one, else
scrapy-playwright opens a new one. So open pages never outnumber the slots, and scrapy-playwright's
own per-context page limit (the same number) never makes a request wait for a page that sits idle
here. Every check still loads a fresh document: only the tab is reused, never the page's content.

A tab is closed after `uses` checks: Chromium's renderers keep growing while their tabs live
(+100 MB per 100 checks with 8 tabs reused forever, measured); closing tabs now and then lets
renderer processes end and hand their memory back, at a small cost (bench/browser_checks.py).
A tab left idle for `idle_seconds` is closed too: the page it shows would otherwise keep running
its scripts (trackers, ads, polling) and fetching until the next browser check, which in the
service may be an hour away. During a pass tabs are taken again within milliseconds.
"""
from __future__ import annotations

import asyncio
from typing import Any

PAGE_META = "playwright_page"
USES_PER_PAGE = 10
IDLE_SECONDS = 2.0


class PagePool:
    def __init__(self, size: int, *, uses: int = USES_PER_PAGE, idle_seconds: float = IDLE_SECONDS):
        self.size = size
        self.uses = uses
        self.idle_seconds = idle_seconds
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Any] = []  # playwright Pages between two checks
        self._used: dict[Any, int] = {}  # page → checks it served
        self._idle_timers: dict[Any, asyncio.TimerHandle] = {}
        self._closing: set[asyncio.Task] = set()  # referenced until done, or asyncio may drop them

    async def hold_slot(self) -> None:
        await self._slots.acquire()

    def lend(self, meta: dict[str, Any]) -> None:
        """Hand the request (holding a slot) an idle page when there is one."""
        while self._idle:
            page = self._idle.pop()
            self._stop_timer(page)
            if not page.is_closed():
                meta[PAGE_META] = page
                break
        # kept open after the response: `give_back` decides what becomes of the page
        meta["playwright_include_page"] = True

    async def give_back(self, meta: dict[str, Any], *, reusable: bool) -> None:
        """Release the request's slot; its page goes back to the pool, or is closed after a failure
        (it may still be loading a page that timed out)."""
        page = meta.pop(PAGE_META, None)  # the response must not keep the page alive
        try:
            if page is not None and not page.is_closed():
                used = self._used.pop(page, 0) + 1
                if reusable and used < self.uses:
                    self._used[page] = used
                    self._idle.append(page)
                    self._idle_timers[page] = asyncio.get_running_loop().call_later(
                        self.idle_seconds, self._close_idle, page)
                else:
                    await _close_quietly(page)
            elif page is not None:
                self._used.pop(page, None)
        finally:
            self._slots.release()

    def forget(self) -> None:
        """Drop the idle pages of a browser that is being closed."""
        for page in self._idle:
            self._stop_timer(page)
        self._idle.clear()
        self._used.clear()

    def _stop_timer(self, page: Any) -> None:
        timer = self._idle_timers.pop(page, None)
        if timer is not None:
            timer.cancel()

    def _close_idle(self, page: Any) -> None:
        self._idle_timers.pop(page, None)
        if page in self._idle:
            self._idle.remove(page)
            self._used.pop(page, None)
            task = asyncio.ensure_future(_close_quietly(page))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    @property
    def idle(self) -> int:
        return len(self._idle)


async def _close_quietly(page: Any) -> None:
    try:
        await page.close()
    except Exception:  # the browser went away first: nothing left to close
        pass
