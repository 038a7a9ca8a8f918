"""Offline extraction of one saved page (`vigie extract`)."""
from __future__ import annotations

from pathlib import Path

from detector.model import Observation
from spiders import registry
from spiders.page import PageInput


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
