"""Storefront walks are recorded by ShopRecordPipeline, one transaction each (crawler.shop_recorder)."""
from __future__ import annotations

import logging

from crawler.shop_walk import WalkResult

log = logging.getLogger(__name__)


class ShopRecordPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, WalkResult):
            return item
        spider = self.crawler.spider
        report = getattr(spider, "report", None)
        try:
            lines = spider.recorder.record(item)
        except Exception:
            log.exception("recording the walk of shop %s failed; it stays due", item.target.listing_id)
            self.stats.inc_value("vigie/record/failed")
            if report is not None and hasattr(report, "failed"):
                report.failed(item.walk_line())
            return item
        self.stats.inc_value("vigie/shop/walks")
        self.stats.inc_value("vigie/shop/pages", len(item.pages))
        for result, recorded in lines:
            self.stats.inc_value(f"vigie/outcome/{recorded.outcome}")
            for kind in recorded.events:
                self.stats.inc_value(f"vigie/event/{kind}")
            if report is not None:
                report.add(result, recorded)
        return item
