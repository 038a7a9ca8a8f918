"""Item pipelines: every CheckResult is recorded (snapshot, detection, outbox) as it arrives."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.targets import CheckResult


class RecordPipeline:
    """Hands each result to the Recorder given in the `VIGIE_RECORDER` setting."""

    def __init__(self, recorder, report, stats):
        self.recorder = recorder
        self.report = report
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        recorder = crawler.settings.get("VIGIE_RECORDER")
        if recorder is None:
            raise NotConfigured("VIGIE_RECORDER is not set: results are not stored")
        return cls(recorder, crawler.settings.get("VIGIE_PASS_REPORT"), crawler.stats)

    def process_item(self, item):
        if not isinstance(item, CheckResult):
            return item
        recorded = self.recorder.record(item)
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
        if self.report is not None:
            self.report.add(item, recorded)
        return item
