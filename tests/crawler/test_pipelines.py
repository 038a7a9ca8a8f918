"""RecordPipeline: results are recorded in batches, and one that cannot be stored does not cost the others."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

from crawler.pipelines import RecordPipeline
from crawler.recorder import Recorded
from crawler.runner import PassReport
from crawler.targets import CheckResult, CheckTarget
from detector.model import Observation, Outcome


class FakeRecorder:
    """Stands for the database: refuses listing 13, records the rest."""

    def __init__(self):
        self.batches: list[list[int]] = []

    def record_many(self, results):
        ids = [r.target.listing_id for r in results]
        self.batches.append(ids)
        if 13 in ids:
            raise RuntimeError("database refused listing 13")
        return [self.record(r) for r in results]

    def record(self, result):
        if result.target.listing_id == 13:
            raise RuntimeError("database refused listing 13")
        return Recorded(result.target.listing_id, result.target.listing_id * 10, "listed", ())


class Stats:
    def __init__(self):
        self.values: dict[str, int] = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


def result(listing_id: int) -> CheckResult:
    return CheckResult(target=CheckTarget(listing_id=listing_id, url=f"http://x/{listing_id}", marketplace="generic"),
                       observation=Observation(Outcome.LISTED, reasons=("price not found: no offer",)),
                       fetched_at=datetime(2026, 11, 26, tzinfo=UTC))


def pipeline(batch_size: int):
    report = PassReport()
    spider = SimpleNamespace(recorder=FakeRecorder(), report=report)
    crawler = SimpleNamespace(spider=spider, stats=Stats())
    return RecordPipeline(crawler, batch_size=batch_size, delay=60), spider, crawler.stats, report


def in_event_loop(test):
    """The pipeline's flush timer needs a running loop, as under Scrapy's asyncio reactor."""
    def run():
        async def body():
            test()
        asyncio.run(body())
    run.__name__ = test.__name__
    return run


@in_event_loop
def test_results_are_recorded_in_batches_and_the_rest_on_close():
    pipe, spider, stats, report = pipeline(batch_size=2)
    for listing_id in (1, 2, 3):
        pipe.process_item(result(listing_id))
    assert spider.recorder.batches == [[1, 2]]
    pipe.close_spider()
    assert spider.recorder.batches == [[1, 2], [3]]
    assert [recorded.listing_id for _, recorded in report.results] == [1, 2, 3]
    assert stats.values["vigie/outcome/listed"] == 3
    assert stats.values["vigie/extract/generic/price_missing"] == 3


@in_event_loop
def test_one_unstorable_result_does_not_cost_the_batch():
    pipe, spider, stats, report = pipeline(batch_size=3)
    for listing_id in (12, 13, 14):
        pipe.process_item(result(listing_id))
    assert [recorded.listing_id for _, recorded in report.results] == [12, 14]
    assert [r.target.listing_id for r in report.unrecorded] == [13]
    assert stats.values["vigie/record/failed"] == 1


def test_a_partial_batch_is_recorded_after_the_delay():
    async def body():
        pipe, spider, _, report = pipeline(batch_size=100)
        pipe.delay = 0.05
        pipe.process_item(result(7))
        assert report.results == []
        await asyncio.sleep(0.3)
        return [recorded.listing_id for _, recorded in report.results]

    assert asyncio.run(body()) == [7]


def test_a_pass_report_sums_vigie_and_browser_counts_across_crawlers_but_not_maxima():
    report = PassReport()
    for stats in ({"playwright/page_count": 8, "playwright/page_count/max_concurrent": 8, "vigie/browser/recycled": 1,
                   "downloader/request_count": 40, "start_time": datetime.now(UTC)},
                  {"playwright/page_count": 3, "playwright/page_count/max_concurrent": 3, "vigie/flag": True}):
        report.count(stats)
    assert report.counters == {"playwright/page_count": 11, "vigie/browser/recycled": 1}
