"""What a storefront walk carries from the spider to the recorder: each page fetched, what its page
object read, and the product pages looked at for the offers that went missing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.targets import CheckResult, CheckTarget
from detector.shop import SeenOffer, Walk
from spiders.results import ResultsPage


@dataclass(frozen=True)
class PageFetch:
    number: int
    url: str
    fetched_at: datetime
    read: ResultsPage
    final_url: str | None = None
    http_status: int | None = None
    elapsed_ms: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    media_type: str = "text/html"


@dataclass
class WalkResult:
    """One storefront check; `products` maps an offer id to the check of its product page."""

    target: CheckTarget
    started_at: datetime
    pages: list[PageFetch] = field(default_factory=list)
    max_pages: int = 20  # the shop's own bound, within VIGIE_SHOP_MAX_PAGES
    stopped: str | None = None  # why the walk ended before the last page, when it did
    products: dict[str, CheckResult] = field(default_factory=dict)

    def walk_line(self) -> CheckResult:
        """The walk as one line of a pass report, for a walk that could not be stored."""
        from detector.model import Observation, Outcome

        return CheckResult(target=self.target, observation=Observation(Outcome.ERROR), fetched_at=self.started_at)

    def walk(self) -> Walk:
        """The walk as the detector sees it: complete only if every page was read whole up to the last."""
        reasons = [f"page {p.number}: {reason}" for p in self.pages if not p.read.complete for reason in p.read.reasons]
        if self.stopped:
            reasons.append(self.stopped)
        gone = bool(self.pages) and (bool(self.pages[0].read.extra.get("gone"))
                                     or (self.pages[0].http_status in (404, 410)))
        offers: dict[str, SeenOffer] = {}
        position = 0
        for page in self.pages:
            for item in page.read.items:
                if item.sponsored or item.id in offers:  # an ad is not the shop's listing; a repeat keeps its first place
                    continue
                position += 1
                offers[item.id] = SeenOffer(item.id, position, item.title, item.price, item.currency,
                                            _same_host(item.url, self.target.url))
        complete = bool(self.pages) and not reasons
        return Walk(complete=complete or gone, offers=tuple(offers.values()),
                    page_sizes=tuple(len([i for i in p.read.items if not i.sponsored]) for p in self.pages),
                    reasons=tuple(reasons) or (() if self.pages else ("no page fetched",)), gone=gone)


def _same_host(url: str | None, shop_url: str) -> str | None:
    """A product link is followed only on the storefront's own host: a page cannot send Vigie elsewhere."""
    from urllib.parse import urlsplit

    if not url:
        return None
    a, b = urlsplit(url), urlsplit(shop_url)
    return url if (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port) else None
