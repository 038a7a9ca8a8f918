"""Browser tabs reused between checks (crawler.browser_pool), without Chromium: pages are stand-ins
with the two methods the pool uses."""
from __future__ import annotations

import asyncio

from crawler.browser_pool import PAGE_META, PagePool


class FakePage:
    def __init__(self, name: str, *, close_fails: bool = False):
        self.name = name
        self.closed = False
        self.close_fails = close_fails

    def is_closed(self) -> bool:
        return self.closed

    async def close(self) -> None:
        if self.close_fails:
            raise RuntimeError("Target page, context or browser has been closed")
        self.closed = True


def run(coro):
    return asyncio.run(coro)


async def check(pool: PagePool, *, opened: list[FakePage], reusable: bool = True) -> FakePage:
    """One browser request: what the middleware does, with scrapy-playwright opening a page when none was lent."""
    meta: dict = {}
    await pool.hold_slot()
    pool.lend(meta)
    assert meta["playwright_include_page"] is True  # scrapy-playwright must not close it
    if PAGE_META not in meta:
        meta[PAGE_META] = FakePage(f"tab{len(opened)}")
        opened.append(meta[PAGE_META])
    page = meta[PAGE_META]
    await pool.give_back(meta, reusable=reusable)
    assert PAGE_META not in meta  # the response handed to the spider holds no page
    return page


def test_a_tab_serves_one_check_after_another_then_is_closed():
    async def scenario():
        pool, opened = PagePool(2, uses=3), []
        served = [await check(pool, opened=opened) for _ in range(7)]
        return served, opened

    served, opened = run(scenario())
    assert [p.name for p in served] == ["tab0", "tab0", "tab0", "tab1", "tab1", "tab1", "tab2"]
    assert [p.closed for p in opened] == [True, True, False]


def test_a_tab_whose_check_failed_is_closed_not_reused():
    async def scenario():
        pool, opened = PagePool(2), []
        failed = await check(pool, opened=opened, reusable=False)
        after = await check(pool, opened=opened)
        return failed, after

    failed, after = run(scenario())
    assert failed.closed and after is not failed and not after.closed


def test_a_tab_closed_meanwhile_is_not_lent():
    async def scenario():
        pool, opened = PagePool(1), []
        first = await check(pool, opened=opened)
        first.closed = True  # crashed, or its browser was recycled
        return first, await check(pool, opened=opened)

    first, second = run(scenario())
    assert second is not first


def test_open_tabs_never_outnumber_the_slots():
    async def scenario():
        pool, opened, live, peak = PagePool(3), [], [0], [0]

        async def slow_check():
            meta: dict = {}
            await pool.hold_slot()
            pool.lend(meta)
            if PAGE_META not in meta:
                meta[PAGE_META] = FakePage(f"tab{len(opened)}")
                opened.append(meta[PAGE_META])
            live[0] += 1
            peak[0] = max(peak[0], live[0])
            await asyncio.sleep(0.01)
            live[0] -= 1
            await pool.give_back(meta, reusable=True)

        await asyncio.gather(*(slow_check() for _ in range(20)))
        return opened, peak[0], pool.idle

    opened, peak, idle = run(scenario())
    assert peak == 3
    assert len(opened) == 3  # 20 checks, 3 tabs: each new tab only when none was idle
    assert idle == 3


def test_forgetting_drops_idle_tabs_of_a_recycled_browser():
    async def scenario():
        pool, opened = PagePool(2), []
        before = await check(pool, opened=opened)
        idle_before = pool.idle
        pool.forget()
        return before, idle_before, pool.idle, await check(pool, opened=opened)

    before, idle_before, idle_after, after = run(scenario())
    assert (idle_before, idle_after) == (1, 0)
    assert after is not before


def test_a_tab_that_cannot_be_closed_still_frees_its_slot():
    async def scenario():
        pool = PagePool(1)
        meta: dict = {}
        await pool.hold_slot()
        pool.lend(meta)
        meta[PAGE_META] = FakePage("gone", close_fails=True)
        await pool.give_back(meta, reusable=False)
        await asyncio.wait_for(pool.hold_slot(), timeout=1)  # would block forever had the slot leaked
        return True

    assert run(scenario())


def test_one_use_per_tab_is_scrapy_playwrights_own_behaviour():
    async def scenario():
        pool, opened = PagePool(2, uses=1), []
        for _ in range(4):
            await check(pool, opened=opened)
        return opened

    opened = run(scenario())
    assert len(opened) == 4 and all(p.closed for p in opened)


def test_a_tab_left_idle_is_closed_so_its_page_stops_running():
    async def scenario():
        pool, opened = PagePool(2, idle_seconds=0.05), []
        first = await check(pool, opened=opened)
        again = await check(pool, opened=opened)  # taken back at once: still open, same tab
        await asyncio.sleep(0.2)
        idle_after_wait = pool.idle
        later = await check(pool, opened=opened)
        return first, again, idle_after_wait, later

    first, again, idle_after_wait, later = run(scenario())
    assert again is first
    assert first.closed and idle_after_wait == 0
    assert later is not first and not later.closed


def test_the_middleware_drains_for_a_fresh_browser_when_memory_passes_the_limit(monkeypatch):
    from types import SimpleNamespace

    from crawler import browser_recycle
    from crawler.browser_recycle import MEMORY_CHECK_EVERY, BrowserRecycleMiddleware

    monkeypatch.setattr(browser_recycle, "browser_pss", lambda: 2 * 1024 ** 3)  # 2 GB held by Chromium

    async def scenario():
        middleware = BrowserRecycleMiddleware(SimpleNamespace(stats=None), max_pages=1000,
                                              max_memory_bytes=1024 ** 3, open_pages=MEMORY_CHECK_EVERY + 1)
        states = []
        for _ in range(MEMORY_CHECK_EVERY):
            await middleware.process_request(SimpleNamespace(meta={"playwright": True}))
            states.append(middleware.draining)
        return states

    states = run(scenario())
    # memory is read every MEMORY_CHECK_EVERY pages; past the limit, no new page until the browser is replaced
    assert states == [False] * (MEMORY_CHECK_EVERY - 1) + [True]
