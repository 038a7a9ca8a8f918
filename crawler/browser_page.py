"""One browser fetch: the Playwright request meta, the wait for product data, the screenshot.

Many pages fill in their product data after `load`; waiting for `load` alone would read an empty
shell. The page is ready when product data is there (JSON-LD Product, a price node, a known
marketplace data blob), or when it plainly is no product page (an error page, a search page:
loaded, no loading placeholder, some text). A page still loading when the timeout passes is
an `error` observation (the download fails, the errback records it), never `gone`.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import math
from typing import Any

from scrapy_playwright.page import PageMethod

READY_METHOD = "vigie_ready"
SCREENSHOT_METHOD = "vigie_screenshot"

# Kept in step with crawler.escalation: what makes a page "still loading" there makes it not
# ready here.
READY_JS = r"""
() => {
  // a PDF, a picture or any file that is no page: ready as it is, the spider refuses it by its type
  // (a file Chromium downloads leaves the tab on about:blank)
  if (location.href === "about:blank") return true;
  if (document.readyState === "complete" && !/html|xml/.test(document.contentType)) return true;
  if (document.readyState !== "complete" || !document.body) return false;
  const jsonld = Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
    .some(s => /"(Product|Offer|AggregateOffer)"/.test(s.textContent));
  if (jsonld) return true;
  if (document.querySelector('[itemprop="price"], [itemprop="offers"], meta[property="product:price:amount"], '
      + '[data-price], #__NEXT_DATA__')) return true;
  if (window.runParams && Object.keys(window.runParams).length) return true;
  if (document.querySelector('[aria-busy="true"], .loading, .loader, .spinner, .skeleton, .shimmer')) return false;
  const text = (document.body.innerText || "").trim();
  if (/^\W*(chargement|loading|veuillez patienter|please wait)\b/i.test(text)) return false;
  for (const id of ["app", "root", "__next", "__nuxt"]) {
    const node = document.getElementById(id);
    if (node && !node.innerText.trim()) return false;
  }
  return text.length > 0;
}
"""


# Chromium cannot paint a surface taller than this in one piece; taller pages are cut there.
MAX_SCREENSHOT_HEIGHT = 16_384


async def full_page_png(page: Any, *, timeout_ms: int) -> bytes:
    """A PNG of the whole page, as tall as its content, from Chromium's DevTools protocol.

    Playwright's `page.screenshot(full_page=True)` takes the same picture but encodes the PNG at
    full compression and runs its own preparation steps; `optimizeForSpeed` trades a larger file
    for an encoding several times cheaper, which on 2 cores decides how many checks fit per second.
    """
    session = await page.context.new_cdp_session(page)
    try:
        async with asyncio.timeout(timeout_ms / 1000):  # a page that never paints is an error, not a hang
            metrics = await session.send("Page.getLayoutMetrics")
            content, viewport = metrics["cssContentSize"], metrics["cssLayoutViewport"]
            clip = {"x": 0, "y": 0, "scale": 1, "width": max(1, math.ceil(content["width"])),
                    "height": max(1, min(MAX_SCREENSHOT_HEIGHT, math.ceil(content["height"])))}
            # painting beyond the viewport resizes the page twice: only for pages taller or wider than it
            beyond = clip["width"] > viewport["clientWidth"] or clip["height"] > viewport["clientHeight"]
            shot = await session.send("Page.captureScreenshot", {
                "format": "png", "optimizeForSpeed": True, "captureBeyondViewport": beyond, "clip": clip})
    finally:
        with contextlib.suppress(Exception):  # a crashed page has no session left: keep the first error
            await session.detach()
    return base64.b64decode(shot["data"])


def browser_meta(*, ready_timeout_ms: int, screenshot: bool) -> dict[str, Any]:
    """The request meta sending a request through the browser (merge it into the request's own)."""
    methods = {READY_METHOD: PageMethod("wait_for_function", READY_JS, timeout=ready_timeout_ms, polling=100)}
    if screenshot:
        methods[SCREENSHOT_METHOD] = PageMethod(full_page_png, timeout_ms=ready_timeout_ms)
    return {
        "playwright": True,
        "playwright_page_methods": methods,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "vigie_fetch_method": "browser",
    }


def screenshot_of(meta: dict[str, Any]) -> bytes | None:
    """The PNG the screenshot page method took, once the download is done."""
    methods = meta.get("playwright_page_methods")
    if not isinstance(methods, dict) or SCREENSHOT_METHOD not in methods:
        return meta.get("vigie_screenshot")
    result = methods[SCREENSHOT_METHOD].result
    return result if isinstance(result, bytes) else None
