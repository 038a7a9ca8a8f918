"""The browser path (scrapy-playwright + Chromium). Being written (issue 4)."""
from __future__ import annotations

from typing import Any


def browser_settings(options: Any) -> dict[str, Any]:
    """Scrapy settings enabling the browser path for these crawl options; {} when disabled."""
    return {}
