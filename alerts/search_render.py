"""The facts of a search watch event (issue 27) in the reader's language: the query, the product, where the
offer stood, and the day it was last found (formatted with Babel)."""
from __future__ import annotations

from typing import Any

from alerts.shop_render import shop_facts


def search_facts(details: dict[str, str], locale, *, zone: str) -> dict[str, Any]:
    dated = shop_facts({"last_seen": details.get("last_seen")}, locale, zone=zone)
    return {
        "query": details.get("query") or "",
        "product": {"label": details.get("product_label") or details.get("product_url") or "",
                    "url": details.get("product_url") or "", "ref": details.get("product_ref") or "",
                    "listing_id": details.get("listing_id")},
        "last_seen": dated["last_seen"],
        "checks": details.get("checks"),
        "pages": details.get("pages"),
        "baseline_rank": details.get("baseline_median"),
        "sponsored_only": details.get("sponsored_only") == "true",
    }
