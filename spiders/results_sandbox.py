"""The sandbox marketplace's storefront pages (sandbox.storefront): its `shop` results page object.

Judged in the order product pages are: an empty body or a 5xx is an error, a bot wall or a 403/429 a
wall, a 404/410 a storefront that is gone (`extra["gone"]`); all of these are `complete=False` with
no items. A page without the storefront's own markup is an unknown layout, also incomplete.
"""
from __future__ import annotations

from urllib.parse import urljoin

from spiders import money, walls
from spiders.page import PageInput
from spiders.results import ResultItem, ResultsPage, register

SHOP_MARKETPLACE = "sandbox"  # the storefront form of `vigie sandbox` (crawler.shop_urls); product pages read as generic


@register("shop", SHOP_MARKETPLACE)
def read_storefront(page: PageInput) -> ResultsPage:
    problem = _not_a_page(page)
    if problem is not None:
        return problem
    tree = page.tree
    section = tree.xpath("//section[contains(concat(' ', normalize-space(@class), ' '), ' storefront ')]")
    if not section:
        return ResultsPage(complete=False, reasons=("unknown layout: no storefront section on the page",))
    start = _int(tree.xpath("string(//ol[contains(@class, 'shop-offers')]/@start)")) or 1
    items = []
    for n, node in enumerate(tree.xpath("//li[contains(@class, 'shop-offer')]")):
        offer_id = node.get("data-offer-id")
        if not offer_id:
            return ResultsPage(complete=False, reasons=(f"offer {n + 1} has no id: unknown layout",))
        price, currency = money.parse(node.xpath("string(.//*[contains(@class, 'shop-offer-price')])"),
                                      decimal_separator=",")
        href = node.xpath("string(.//a[contains(@class, 'shop-offer-title')]/@href)")
        items.append(ResultItem(id=offer_id, position=start + n, sponsored=False,
                                title=" ".join(node.xpath("string(.//a)").split()) or None,
                                price=price, currency=currency, url=urljoin(page.url, href) if href else None))
    following = tree.xpath("string(//a[@rel='next']/@href)")
    summary = " ".join(tree.xpath("string(//section//p[contains(@class, 'summary')])").split())
    total = _int(summary.split(" ", 1)[0]) if summary else None
    return ResultsPage(complete=True, items=tuple(items), next_page=urljoin(page.url, following) if following else None,
                       total_results=total)


def _not_a_page(page: PageInput) -> ResultsPage | None:
    if page.status >= 500 or not page.body.strip():
        return ResultsPage(complete=False, reasons=(f"error: HTTP {page.status}" if page.body.strip()
                                                    else "error: empty body",))
    wall = walls.detect_wall(page.text, page.headers)
    if wall or page.status in (403, 429):
        return ResultsPage(complete=False, reasons=(f"blocked: {wall or f'HTTP {page.status}'}",))
    if page.status in (404, 410):
        return ResultsPage(complete=False, reasons=(f"the storefront is gone: HTTP {page.status}",),
                           extra={"gone": True})
    if page.status >= 400:
        return ResultsPage(complete=False, reasons=(f"error: HTTP {page.status}",))
    return None


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


@register("search", SHOP_MARKETPLACE)
def read_search(page: PageInput) -> ResultsPage:
    """The sandbox's /search pages (sandbox.search). The page says how many results it holds (`data-count`):
    fewer read is a truncated page, an answer that cannot prove an offer absent."""
    problem = _not_a_page(page)
    if problem is not None:
        return problem if not problem.extra.get("gone") else ResultsPage(complete=False, reasons=problem.reasons)
    tree = page.tree
    section = tree.xpath("//section[contains(concat(' ', normalize-space(@class), ' '), ' search-results ')]")
    if not section:
        return ResultsPage(complete=False, reasons=("unknown layout: no search-results section on the page",))
    items = []
    for n, node in enumerate(tree.xpath("//li[contains(concat(' ', normalize-space(@class), ' '), ' result ')]")):
        product_id = node.get("data-product-id")
        if not product_id:
            return ResultsPage(complete=False, reasons=(f"result {n + 1} has no id: unknown layout",))
        sponsored = "sponsored" in (node.get("class") or "").split()
        price, currency = money.parse(node.xpath("string(.//*[contains(@class, 'result-price')])"),
                                      decimal_separator=",")
        href = node.xpath("string(.//a/@href)")
        items.append(ResultItem(id=product_id, position=None if sponsored else n + 1, sponsored=sponsored,
                                title=" ".join(node.xpath("string(.//a)").split()) or None, price=price,
                                currency=currency, url=urljoin(page.url, href) if href else None))
    organic = sum(1 for item in items if not item.sponsored)
    expected = _int(section[0].get("data-count", ""))
    following = tree.xpath("string(//a[@rel='next']/@href)")
    found = ResultsPage(complete=True, items=tuple(items), total_results=_int(section[0].get("data-total", "")),
                        next_page=urljoin(page.url, following) if following else None)
    if expected is None or organic != expected:
        return ResultsPage(complete=False, items=found.items, total_results=found.total_results,
                           reasons=(f"partial page: {organic} results read, the page announces {expected}",))
    return found
