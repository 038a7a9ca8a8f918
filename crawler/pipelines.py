"""Item pipelines: every CheckResult is recorded (snapshot, detection, outbox) as it arrives."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.targets import CheckResult


class RecordPipeline:
    """Hands each result to the spider's Recorder (given by the crawl runner; settings are copied,
    so live objects such as a database session factory travel with the spider instead)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("VIGIE_RECORD", True):
            raise NotConfigured("VIGIE_RECORD is off: results are not stored")
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, CheckResult):
            return item
        spider = self.crawler.spider
        recorded = spider.recorder.record(item)
        marketplace = item.target.marketplace
        self.stats.inc_value(f"vigie/outcome/{recorded.outcome}")
        self.stats.inc_value(f"vigie/{marketplace}/outcome/{recorded.outcome}")
        for kind in recorded.events:
            self.stats.inc_value(f"vigie/event/{kind}")
        for reason in item.observation.reasons:
            # "price not found: ..." → a counter per marketplace and field, so a layout change is loud
            if " not found" in reason:
                field = reason.split(" not found", 1)[0].strip().replace(" ", "_")
                self.stats.inc_value(f"vigie/extract/{marketplace}/{field}_missing")
        if spider.report is not None:
            spider.report.add(item, recorded)
        return item
