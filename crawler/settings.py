"""Scrapy settings of the Vigie crawler (`scrapy list` reads them; the runner adds Vigie's own)."""

BOT_NAME = "vigie"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

ROBOTSTXT_OBEY = False  # the seller asks to watch their own listing; the service (issue 5) makes it configurable
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
RETRY_ENABLED = False  # each fetch is one observation; confirmation handles glitches
REDIRECT_MAX_TIMES = 5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# A check yields one result (or one escalated request): Scrapy's default of 100 starts 100 asyncio
# workers per response to process its output, which costs more than the whole page extraction.
CONCURRENT_ITEMS = 1
REACTOR_THREADPOOL_MAXSIZE = 4
LOG_LEVEL = "WARNING"
# scrapy-playwright drives Chromium from asyncio (Scrapy's default reactor, stated because the browser needs it)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8",
}

# the address connected to is checked again at connection time (DNS rebinding; crawler.netguard)
TWISTED_DNS_RESOLVER = "crawler.netguard.PublicOnlyResolver"
DOWNLOADER_MIDDLEWARES = {
    # before RedirectMiddleware (600) sees the response, and on every redirected request too
    "crawler.netguard.PublicOnlyMiddleware": 50,
    # browser requests only; NotConfigured when the crawl has no browser (crawler.browser). Next to
    # the download handler, so its process_response runs first, before a middleware (a redirect,
    # a meta refresh) can replace the response and skip it: it must give back every page it lent.
    "crawler.browser_recycle.BrowserRecycleMiddleware": 950,
}
# Scrapy's built-in components, minus those a check never uses. Set as the *_BASE lists because Scrapy imports
# every component it is given, even one set to None: RemoteControl pulled in aiohttp, CookiesMiddleware
# tldextract. A check follows no links (no depth or URL-length bookkeeping; each spider middleware also wraps
# every response's output in one more async generator), keeps no cookies, writes no feeds and no job state.
# AutoThrottle, robots.txt, proxies from the environment, redirects, compression and timeouts stay. The Referer
# middleware stays too, with the no-referrer policy: a check sends no Referer, and without it Scrapy's redirect
# middlewares warn at every crawl's start (two long lines opening each `vigie run` and `vigie check`).
# tests/crawler/test_scrapy_project.py lists what Scrapy adds in a new version, so nothing is dropped unseen.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
}
SPIDER_MIDDLEWARES_BASE = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
}
REFERRER_POLICY = "no-referrer"
# left out of Scrapy's own lists above, on purpose
LEFT_OUT = (
    "scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.closespider.CloseSpider", "scrapy.extensions.feedexport.FeedExporter",
    "scrapy.extensions.spiderstate.SpiderState", "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware", "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware", "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    "scrapy.spidermiddlewares.depth.DepthMiddleware", "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
)
ITEM_PIPELINES = {
    "crawler.pipelines.RecordPipeline": 300,
    "crawler.shop_pipeline.ShopRecordPipeline": 310,  # storefront walks (crawler.shop_spider)
}
