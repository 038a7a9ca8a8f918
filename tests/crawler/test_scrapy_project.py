"""The Scrapy project as Scrapy sees it: `scrapy list` in the repository root."""
import subprocess
import sys
from pathlib import Path

from spiders import registry

ROOT = Path(__file__).parents[2]


def test_scrapy_list_names_a_spider_per_marketplace():
    done = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == registry.names()
    assert len(registry.names()) == 11  # ten marketplaces and the generic schema.org reader


def test_every_request_of_a_spider_carries_the_same_callback_objects():
    """Scrapy caches its inspection of a generator callback (it reads and parses the source) on weak
    references: a fresh bound method per request misses that cache on every response."""
    import gc

    from scrapy.utils.misc import _generator_callbacks_cache, is_generator_with_return_value

    from crawler.targets import CheckTarget

    from spiders.generic import GenericSpider

    targets = [CheckTarget(listing_id=n, url=f"https://shop.example/p/{n}", marketplace="generic") for n in (1, 2)]
    spider = GenericSpider(targets=targets)
    first, second = (spider.request_for(t) for t in targets)
    assert first.callback is second.callback and first.errback is second.errback
    is_generator_with_return_value(first.callback)
    del first, second
    gc.collect()
    assert spider.request_for(targets[0]).callback in _generator_callbacks_cache  # still cached


def test_the_components_left_out_are_named_and_scrapys_new_ones_are_seen():
    """crawler.settings replaces Scrapy's *_BASE component lists (a component set to None is still imported):
    every built-in component is either kept or named in LEFT_OUT, so one added by a Scrapy upgrade fails here
    instead of being dropped unseen."""
    from scrapy.settings import default_settings

    from crawler import settings as ours

    for name in ("EXTENSIONS_BASE", "DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE"):
        scrapys, kept = getattr(default_settings, name), getattr(ours, name)
        assert set(kept) <= set(scrapys), name  # the same classes, nothing of ours hidden in a base list
        assert set(scrapys) == set(kept) | (set(scrapys) & set(ours.LEFT_OUT)), name
        assert all(kept[path] == scrapys[path] for path in kept), name  # Scrapy's own order
    assert "scrapy.extensions.throttle.AutoThrottle" in ours.EXTENSIONS_BASE  # the service's politeness
    assert "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware" in ours.DOWNLOADER_MIDDLEWARES_BASE
