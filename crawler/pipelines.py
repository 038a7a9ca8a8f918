"""Item pipelines: CheckResults are recorded (snapshot, detection, outbox) in small batches.

A batch is one transaction: recording a hundred results costs a few queries instead of a few
hundred, which is most of what separates a check from a bare fetch. A batch waits at most
`VIGIE_RECORD_DELAY` seconds, so the service still mails a delisting within the second.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured
from scrapy.utils.reactor import CallLaterOnce

from crawler.targets import CheckResult
from store.db import one_line, unavailable

log = logging.getLogger(__name__)


class RecordPipeline:
    """Hands results to the spider's Recorder (given by the crawl runner; settings are copied,
    so live objects such as a database session factory travel with the spider instead)."""

    def __init__(self, crawler, *, batch_size: int, delay: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = batch_size
        self.delay = delay
        self.pending: list[CheckResult] = []
        self._later = CallLaterOnce(self.flush)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("VIGIE_RECORD", True):
            raise NotConfigured("VIGIE_RECORD is off: results are not stored")
        return cls(crawler, batch_size=crawler.settings.getint("VIGIE_RECORD_BATCH", 100),
                   delay=crawler.settings.getfloat("VIGIE_RECORD_DELAY", 0.25))

    def process_item(self, item):
        if not isinstance(item, CheckResult):
            return item
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        else:
            self._later.schedule(self.delay)
        return item

    def close_spider(self, spider=None) -> None:
        self._later.cancel()
        self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        spider = self.crawler.spider
        try:
            recorded = spider.recorder.record_many(batch)
        except Exception as error:
            if unavailable(error):  # the database is away: one by one would fail the same way, each
                log.error("recording a batch of %d results failed, the database is unavailable (%s); "
                          "their listings stay due", len(batch), one_line(error))
                for item in batch:
                    self._failed(spider, item)
                return
            # one bad result must not cost the others: record them one by one
            log.exception("recording a batch of %d results failed; recording them one by one", len(batch))
            for item in batch:
                self._record_alone(spider, item)
            return
        for item, result in zip(batch, recorded):
            self._account(spider, item, result)

    def _record_alone(self, spider, item: CheckResult) -> None:
        try:
            recorded = spider.recorder.record(item)
        except Exception:
            log.exception("recording listing %s failed", item.target.listing_id)
            self._failed(spider, item)
            return
        self._account(spider, item, recorded)

    def _failed(self, spider, item: CheckResult) -> None:
        self.stats.inc_value("vigie/record/failed")
        if spider.report is not None and hasattr(spider.report, "failed"):
            spider.report.failed(item)

    def _account(self, spider, item: CheckResult, recorded) -> None:
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
