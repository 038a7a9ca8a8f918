"""One check pass: due listings → one spider per marketplace → recorded results.

The runner reads no environment: the CLI gives it a session factory and a `CrawlOptions`. Its Scrapy
settings come from the `crawler.settings` module itself, never from a `scrapy.cfg` found through the
working directory (`scrapy list` in the repository still reads that file): `vigie` runs from cron,
systemd or anyone's home, and a crawl without Vigie's pipeline and guards must not start at all.
"""
from __future__ import annotations

import gc
import logging
import signal
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Iterable

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.spiderloader import SpiderLoader
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.browser import browser_settings
from crawler.listing_spider import ListingSpider
from crawler.recorder import Recorded, Recorder
from crawler.targets import CheckResult, CheckTarget
from spiders import registry
from spiders.fees import FeeScheduleSpider
from store.models import Listing


# -- issue 6 (fee pages): the kinds checked, and fee pages crawled by their own spider --------------
WATCHED_KINDS = ("listing", "fees", "shop", "search")


def crawl_fee_pages(process: CrawlerProcess, targets: list[CheckTarget], recorder: Recorder,
                    report: PassReport, **_: object) -> None:
    """One FeeScheduleSpider per marketplace, reading that marketplace's fee page markup."""
    by_marketplace: dict[str, list[CheckTarget]] = defaultdict(list)
    for target in targets:
        by_marketplace[target.marketplace].append(target)
    for marketplace, group in by_marketplace.items():
        process.crawl(FeeScheduleSpider, targets=group, recorder=recorder, report=report,
                      marketplace_name=marketplace)


def crawl_shops(process: CrawlerProcess, targets: list[CheckTarget], recorder: Recorder, report: PassReport,
                **_: object) -> None:
    """One ShopSpider per marketplace with storefronts due (issue 26): its own room, its own recorder."""
    from crawler.shop_recorder import ShopRecorder
    from crawler.shop_spider import ShopSpider

    by_marketplace: dict[str, list[CheckTarget]] = defaultdict(list)
    for target in targets:
        by_marketplace[target.marketplace].append(target)
    for marketplace, group in by_marketplace.items():
        process.crawl(ShopSpider, targets=group, recorder=ShopRecorder(recorder), report=report,
                      marketplace_name=marketplace)


def crawl_searches(process: CrawlerProcess, targets: list[CheckTarget], recorder: Recorder,
                   report: PassReport, limits=None) -> None:
    """One SearchSpider per marketplace with search watches due (issue 27): its own room, pace and recorder,
    and `limits` (crawler.search_limits.SearchLimits): the day's budget, which a walk not fitting leaves due."""
    from crawler.search_recorder import SearchRecorder
    from crawler.search_spider import SearchSpider

    by_marketplace: dict[str, list[CheckTarget]] = defaultdict(list)
    for target in targets:
        by_marketplace[target.marketplace].append(target)
    for marketplace, group in by_marketplace.items():
        process.crawl(SearchSpider, targets=group, recorder=SearchRecorder(recorder), report=report,
                      marketplace_name=marketplace, limits=limits)


# the kinds of target crawled by spiders of their own, beside the product listings'
OTHER_ROOMS = {"fees": crawl_fee_pages, "shop": crawl_shops, "search": crawl_searches}
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlOptions:
    allow_private_hosts: bool = False
    allow_networks: str = ""  # VIGIE_ALLOW_NETWORKS, comma-separated (crawler.netguard)
    timeout: float = 30.0
    concurrency: int = 32
    user_agent: str = "Vigie"
    log_level: str = "WARNING"
    browser_path: str | None = None  # VIGIE_BROWSER_PATH; else discovered (crawler.browser)
    browser: bool = True  # allow the browser path at all (escalation, --browser listings)
    extra: dict = field(default_factory=dict)  # any other Scrapy setting
    stop_grace: float = 3.0  # seconds the checks in flight get to land after SIGINT/SIGTERM (then abandoned)


COUNTED_STATS = ("vigie/", "playwright/")


@dataclass
class PassReport:
    """What one pass found, in the order results arrived."""

    results: list[tuple[CheckResult, Recorded]] = field(default_factory=list)
    elapsed_seconds: float = 0.0  # the crawl itself, start-up excluded
    unrecorded: list[CheckResult] = field(default_factory=list)  # fetched, but storing them failed
    notes: list[str] = field(default_factory=list)  # one line each for the operator (e.g. no browser found)
    counters: dict[str, int] = field(default_factory=dict)  # Scrapy stats of Vigie and the browser, summed
    produced: int = 0  # check results that left the spiders; each must end in `results` or `unrecorded`
    interrupted: bool = False  # stopped by SIGINT/SIGTERM: the targets not in `results` were not checked
    left_due: list[CheckTarget] = field(default_factory=list)  # search walks beyond the day's budget, not started

    @property
    def lost(self) -> int:
        """Results produced but neither recorded nor reported as unstorable: a crawl that dropped them."""
        return max(0, self.produced - len(self.results) - len(self.unrecorded))

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)

    def count(self, stats: dict[str, object]) -> None:
        """Add one crawler's counts: Vigie's own (`vigie/…`) and the browser's (`playwright/…`); maxima
        do not add up across crawlers and are left out."""
        for key, value in stats.items():
            if (key.startswith(COUNTED_STATS) and "max_" not in key and isinstance(value, int)
                    and not isinstance(value, bool)):
                self.counters[key] = self.counters.get(key, 0) + value

    def leave_due(self, target: CheckTarget) -> None:
        self.left_due.append(target)

    def failed(self, result: CheckResult) -> None:
        self.unrecorded.append(_without_evidence(result))

    def add(self, result: CheckResult, recorded: Recorded) -> None:
        self.results.append((_without_evidence(result), recorded))

    @property
    def events(self) -> list[str]:
        return [kind for _, recorded in self.results for kind in recorded.events]


def _without_evidence(result: CheckResult) -> CheckResult:
    """What the report keeps of a check: its bodies and screenshots are stored (or not) already, and a pass
    over 20,000 listings holding them all took 900 MB."""
    return replace(result, body=None, screenshot=None, headers={})


def due_targets(session: Session, *, now: datetime, every: bool = False,
                listing_id: int | None = None) -> list[CheckTarget]:
    """Active product listings and fee pages due now (all of them with `every`, or just one by id)."""
    # the columns a check needs, not whole listings: their detector state (JSON that grows with the price
    # history) was decoded for every listing of a pass and was a tenth of its start-up
    query = (select(Listing.id, Listing.canonical_url, Listing.marketplace, Listing.seller, Listing.browser,
                    Listing.kind, Listing.state)
             .where(Listing.active.is_(True), Listing.kind.in_(WATCHED_KINDS)))
    if listing_id is not None:
        query = query.where(Listing.id == listing_id)
    elif not every:
        query = query.where(Listing.next_check_at <= now)
    rows = session.execute(query.order_by(Listing.next_check_at, Listing.id))
    return [CheckTarget(listing_id=row.id, url=row.canonical_url, marketplace=row.marketplace, seller=row.seller,
                        browser=row.browser, kind=row.kind, state=row.state) for row in rows]


YOUNG_COLLECTION_EVERY = 5_000  # allocations between the garbage collector's young collections during a pass
SETTINGS_MODULE = "crawler.settings"
RECORD_PIPELINE = "crawler.pipelines.RecordPipeline"
GUARD_MIDDLEWARE = "crawler.netguard.PublicOnlyMiddleware"
GUARD_RESOLVER = "crawler.netguard.PublicOnlyResolver"
MAX_DOWNLOAD_SIZE = 16 * 1024 * 1024


class UnsafeCrawlSettings(RuntimeError):
    """The crawl's settings lack what keeps checks recorded and the network guarded."""


def project_settings() -> ScrapySettings:
    """Vigie's own Scrapy settings, whatever the working directory or SCRAPY_SETTINGS_MODULE say."""
    settings = ScrapySettings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    return settings


def check_crawl_settings(settings: ScrapySettings) -> None:
    """Refuses settings that would fetch without recording, or without the SSRF guards and limits."""
    problems = []
    if settings.getwithbase("ITEM_PIPELINES").get(RECORD_PIPELINE) is None or not settings.getbool("VIGIE_RECORD", True):
        problems.append(f"no {RECORD_PIPELINE} (checks would not be stored)")
    if settings.getwithbase("DOWNLOADER_MIDDLEWARES").get(GUARD_MIDDLEWARE) is None:
        problems.append(f"no {GUARD_MIDDLEWARE} (private addresses and redirects would not be refused)")
    if settings.get("TWISTED_DNS_RESOLVER") != GUARD_RESOLVER:
        problems.append(f"TWISTED_DNS_RESOLVER is not {GUARD_RESOLVER} (DNS rebinding would not be caught)")
    size = settings.getint("DOWNLOAD_MAXSIZE")
    if size <= 0 or size > MAX_DOWNLOAD_SIZE:
        problems.append(f"DOWNLOAD_MAXSIZE is {size}, not within 1..{MAX_DOWNLOAD_SIZE} bytes")
    if settings.getbool("RETRY_ENABLED") or settings.getbool("COOKIES_ENABLED"):
        problems.append("retries or cookies are on (each fetch must be one observation, without a session)")
    if problems:
        raise UnsafeCrawlSettings("refusing to crawl: " + "; ".join(problems))


def spider_classes() -> dict[str, type[ListingSpider]]:
    """Marketplace name → its spider; adapters without one get a plain ListingSpider subclass."""
    loader = SpiderLoader.from_settings(project_settings())
    found: dict[str, type[ListingSpider]] = {}
    for name in loader.list():
        cls = loader.load(name)
        if issubclass(cls, ListingSpider) and getattr(cls, "marketplace", None) is not None:
            found[cls.marketplace.name] = cls
    for marketplace in registry.all_marketplaces():
        if marketplace.name not in found:
            found[marketplace.name] = type(f"{marketplace.name.title()}Spider", (ListingSpider,),
                                           {"name": marketplace.name, "marketplace": marketplace})
    return found


def scrapy_settings(options: CrawlOptions) -> ScrapySettings:
    settings = project_settings()
    settings.setdict({
        "VIGIE_ALLOW_PRIVATE_HOSTS": options.allow_private_hosts,
        "VIGIE_ALLOW_NETWORKS": options.allow_networks,
        "DOWNLOAD_TIMEOUT": options.timeout,
        "CONCURRENT_REQUESTS": options.concurrency,
        "USER_AGENT": options.user_agent,
        "LOG_LEVEL": options.log_level,
        **browser_settings(options),
        **options.extra,
    }, priority="cmdline")
    return settings


def run_pass(targets: Iterable[CheckTarget], recorder: Recorder, options: CrawlOptions,
             report: PassReport | None = None, *, room_arguments: dict[str, dict] | None = None) -> PassReport:
    """Fetches every target once and records it. Blocks until done; one pass per process (Twisted).
    The long-running service (crawler.service) keeps its crawlers open instead. `room_arguments`: kind ->
    more arguments of its room (the search limits)."""
    report = report if report is not None else PassReport()
    by_marketplace: dict[str, list[CheckTarget]] = defaultdict(list)
    rooms: dict[str, list[CheckTarget]] = defaultdict(list)
    for target in targets:
        if target.kind in OTHER_ROOMS:
            rooms[target.kind].append(target)
        else:
            by_marketplace[target.marketplace].append(target)
    if not by_marketplace and not rooms:
        return report
    classes = spider_classes()
    settings = scrapy_settings(options)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # the CLI owns logging
    check_crawl_settings(settings)
    process = CrawlerProcess(settings)
    # Scrapy leaves the root logger at NOTSET, so every response built its DEBUG records ("Crawled …",
    # "Scraped from …", an item's repr included) only for the handlers to drop them
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    for marketplace, group in by_marketplace.items():
        process.crawl(classes.get(marketplace) or classes[registry.GENERIC_NAME], targets=group, recorder=recorder,
                      report=report)
    for kind, group in rooms.items():
        OTHER_ROOMS[kind](process, group, recorder, report, **(room_arguments or {}).get(kind, {}))
    for crawler in process.crawlers:  # whatever the pipelines did with a result, it left the spider
        for sent in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(lambda item, **_: _produced(report, item), signal=sent, weak=False)
    # Everything allocated so far (modules, settings, crawlers, targets) lives until the pass ends: moved out
    # of the garbage collector's sight, its full collections no longer re-walk it (they were ~15% of a pass).
    # Each page also allocates thousands of short-lived objects: a young collection every 5,000 allocations
    # rather than 700 halves what is left of the collector's time (0.32 → 0.16 s over 2,000 pages).
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_COLLECTION_EVERY), *thresholds[1:])
    started = time.monotonic()
    from twisted.internet import reactor

    reactor.callWhenRunning(reactor.callLater, 0, _cut_short_on_signals, reactor, report, options.stop_grace)
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        process.start()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        for signum, handler in before.items():  # the reactor is gone: a Ctrl-C while alerts go out stops them
            signal.signal(signum, handler)
    report.elapsed_seconds = time.monotonic() - started
    return report


def _cut_short_on_signals(reactor, report: PassReport, grace: float) -> None:
    """SIGINT/SIGTERM stop a pass within `grace` seconds. Scrapy's own handlers (installed just before this
    runs) stop asking for pages, then wait for every download in flight, up to its timeout, and the pages
    queued behind it: a Ctrl-C took two minutes. Here Scrapy's stop starts as before; what has not landed
    `grace` seconds later (or at a second signal) is abandoned: the reactor stops without waiting, each
    check recorded so far is whole (one transaction each), the others stay due."""
    scrapy_handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def abandon() -> None:
        if reactor.running:
            reactor.crash()  # no shutdown triggers: those are what wait for the downloads
            if getattr(reactor, "threadpool", None) is not None:  # what a shutdown trigger stops, or exit waits
                reactor.threadpool.stop()

    def stop(signum: int) -> None:
        if report.interrupted:
            abandon()
            return
        report.interrupted = True
        handler = scrapy_handlers.get(signum)
        if callable(handler):
            handler(signum, None)
        reactor.callLater(grace, abandon)

    for signum in scrapy_handlers:
        signal.signal(signum, lambda signum, _frame: reactor.callFromThread(stop, signum))


def _produced(report: PassReport, item: object) -> None:
    if isinstance(item, CheckResult):
        report.produced += 1
