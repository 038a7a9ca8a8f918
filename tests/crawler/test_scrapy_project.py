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
