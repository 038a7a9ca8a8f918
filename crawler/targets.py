"""What the crawl runner hands a spider, and what the spider hands back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from detector.model import Observation


@dataclass(frozen=True)
class CheckTarget:
    listing_id: int
    url: str
    marketplace: str
    seller: str | None = None
    browser: bool = False  # fetch through the browser from the start
    kind: str = "listing"  # or "fees": a marketplace's seller fee page (spiders.fees)
    state: str | None = None  # the listing's confirmed state: a confirmed disappearance is not re-confirmed
    claim: str | None = None  # cluster mode: the claim this check was dispatched under (cluster.claims)


@dataclass(frozen=True)
class CheckResult:
    """One fetch of one listing and what its page object saw."""

    target: CheckTarget
    observation: Observation
    fetched_at: datetime
    final_url: str | None = None
    http_status: int | None = None
    fetch_method: str = "http"
    elapsed_ms: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    media_type: str = "text/html"
    screenshot: bytes | None = None
    capture: dict | None = None  # crawler.capture: address, TLS leaf, egress, user agent, headers, redirects
