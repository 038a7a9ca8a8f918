"""Offline extraction of one saved page (`vigie extract`)."""
from __future__ import annotations

from pathlib import Path

from detector.model import Observation
from spiders import registry
from spiders.page import PageInput
from spiders.results import Kind, ResultsPage, parser_for


def extract_file(
    path: Path,
    *,
    marketplace: str,
    url: str | None = None,
    status: int = 200,
    seller: str | None = None,
) -> Observation:
    adapter = registry.by_name(marketplace)
    host = adapter.domains[0] if adapter.domains else "example.com"
    page_url = url or f"https://www.{host}/"
    page = PageInput(url=page_url, body=path.read_bytes(), status=status, seller=seller)
    return adapter.observe(page)


def extract_results_file(path: Path, *, kind: Kind, marketplace: str, url: str | None = None,
                         status: int = 200) -> ResultsPage:
    """A saved storefront or search results page read by its marketplace's results page object."""
    parser = parser_for(kind, marketplace)  # KeyError names the known readers
    page_url = url or _default_url(marketplace)
    return parser(PageInput(url=page_url, body=path.read_bytes(), status=status))


def _default_url(marketplace: str) -> str:
    adapter = registry.by_name(marketplace)
    return f"https://www.{adapter.domains[0] if adapter.domains else 'example.com'}/"


def results_json(page: ResultsPage) -> dict:
    """The `vigie extract --kind` contract: prices as dot-decimal strings or null, positions organic only."""
    return {
        "complete": page.complete,
        "items": [
            {"id": item.id, "position": item.position, "sponsored": item.sponsored, "title": item.title,
             "price": None if item.price is None else str(item.price), "currency": item.currency,
             "url": item.url}
            for item in page.items
        ],
        "next_page": page.next_page,
        "total_results": page.total_results,
        "reasons": list(page.reasons),
    }


def observation_json(observation: Observation) -> dict:
    """The `vigie extract --json` contract: prices as dot-decimal strings or null."""

    def money(value):
        return None if value is None else str(value)

    return {
        "outcome": observation.outcome.value,
        "price": money(observation.price),
        "currency": observation.currency,
        "shipping_fee": money(observation.shipping_fee),
        "seller": observation.seller,
        "title": observation.title,
        "availability": observation.availability,
        "offers": [
            {"seller": o.seller, "price": money(o.price), "currency": o.currency,
             "shipping_fee": money(o.shipping_fee), "available": o.available,
             **({"variant": o.variant} if o.variant is not None else {})}
            for o in observation.offers
        ],
        "reasons": list(observation.reasons),
    }
