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
