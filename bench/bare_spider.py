"""The yardstick: a bare Scrapy spider fetching the given URLs, nothing stored. Prints pages/s as JSON."""
from __future__ import annotations

import json
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.pages = 0

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        self.pages += 1


def main() -> None:
    urls = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "ROBOTSTXT_OBEY": False,
                              "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "RETRY_ENABLED": False})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    started = time.monotonic()
    process.start()
    elapsed = time.monotonic() - started
    print(json.dumps({"pages": crawler.spider.pages, "seconds": elapsed, "rate": crawler.spider.pages / elapsed}))


if __name__ == "__main__":
    main()
