"""The browser path (scrapy-playwright + Chromium): discovery and the Scrapy settings enabling it.

Static HTTP stays the default: requests reach the browser only with `meta["playwright"]`, so
the Playwright download handler passes every other request to Scrapy's own HTTP handler. The
browser itself is launched on the first browser request of a pass (crawler.browser_provider),
so a pass with no browser target and no escalation never starts Chromium.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable

from crawler.browser_routes import ResourcePolicy
from crawler.egress_proxy import EGRESS_OPTION
from crawler.netguard import parse_networks

DEBIAN_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = ("no browser for browser checks: install Chromium (`apt-get install chromium` or "
                "`playwright install chromium`) or set VIGIE_BROWSER_PATH to a Chromium executable")

# Headless and quiet: no GPU, no calls home (updates, sync, field trials), no QUIC; /dev/shm is
# tiny in containers and --no-sandbox because the service runs as root there.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--mute-audio",
    # Site isolation (a renderer per site, per frame) guards a person's logged-in sessions; this
    # browser holds none and keeps no cookies, and on 2 cores the extra processes cost more than the
    # pages. At most one renderer per tab (PAGES_PER_CONTEXT): fewer, shared by the reused tabs,
    # never end and kept growing (+40 MB per 100 checks with 4, flat with 8).
    "--renderer-process-limit=8",
    "--disable-site-isolation-trials",
    # Tabs are reused (crawler.browser_pool): no page should stay alive in memory after the next check.
    "--disable-back-forward-cache",
    # No --disable-features here: Chromium keeps only the last one given, and Playwright's own list
    # (OptimizationHints, NetworkTimeServiceQuerying, MediaRouter…) is what stops calls home.
)

# Scrapy's HTTP handler, which builds scrapy-playwright's on the first browser request (crawler.download_handler)
DOWNLOAD_HANDLER = "crawler.download_handler.BrowserOnDemandHandler"
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# cost control defaults; any of them can be overridden through CrawlOptions.extra
PAGES_PER_CONTEXT = 8  # concurrent pages: Chromium on 2 cores is CPU-bound past this (and see above)
RECYCLE_AFTER_PAGES = 1000
RECYCLE_ABOVE_MB = 1536
READY_TIMEOUT_MS = 15_000  # product data must appear within this, else the check is an error


def _executable(path: str | os.PathLike[str]) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def managed_chromium(cache_dirs: Iterable[Path] | None = None) -> str | None:
    """A Chromium installed by `playwright install chromium`, newest first, if any.

    Read from Playwright's download cache rather than by starting its driver: discovery runs
    in the CLI before the crawl and must cost nothing.
    """
    dirs = list(cache_dirs) if cache_dirs is not None else [Path.home() / ".cache" / "ms-playwright"]
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-linux*/headless_shell")
    for cache in dirs:
        for pattern in patterns:
            for candidate in sorted(cache.glob(pattern), reverse=True):
                if _executable(candidate):
                    return str(candidate)
    return None


def find_browser(configured: str | None, *, managed: Callable[[], str | None] = managed_chromium,
                 fallback: str = DEBIAN_CHROMIUM) -> str | None:
    """The Chromium to launch: the configured path, else Playwright's, else Debian's; None if none exists.

    A configured path that does not exist is not silently replaced by another browser: the
    operator asked for that one.
    """
    if configured:
        return configured if _executable(configured) else None
    return managed() or (fallback if _executable(fallback) else None)


def missing_reason(configured: str | None) -> str:
    if configured:
        return f"VIGIE_BROWSER_PATH={configured} is not an executable file; {INSTALL_HINT}"
    return INSTALL_HINT


def launch_options(executable: str) -> dict[str, Any]:
    return {"executable_path": executable, "headless": True, "args": list(CHROMIUM_ARGS),
            "handle_sigint": False, "handle_sigterm": False, "handle_sighup": False}


def browser_settings(options: Any, *, find: Callable[[str | None], str | None] = find_browser) -> dict[str, Any]:
    """Scrapy settings enabling the browser path for these crawl options; {} when disabled.

    With the browser allowed but no Chromium found, only `VIGIE_BROWSER_UNAVAILABLE` is set: the
    spider then turns checks that need a browser into `error` observations carrying that reason,
    and static checks run as before.
    """
    if not getattr(options, "browser", True):
        return {}
    configured = getattr(options, "browser_path", None)
    executable = find(configured)
    if executable is None:
        return {"VIGIE_BROWSER_UNAVAILABLE": missing_reason(configured)}
    timeout_ms = int(float(getattr(options, "timeout", 30.0)) * 1000)
    return {
        "VIGIE_BROWSER_ENABLED": True,
        "VIGIE_BROWSER_EXECUTABLE": executable,
        "VIGIE_BROWSER_SCREENSHOTS": True,
        "VIGIE_BROWSER_READY_TIMEOUT_MS": min(READY_TIMEOUT_MS, timeout_ms),
        "VIGIE_BROWSER_RECYCLE_PAGES": RECYCLE_AFTER_PAGES,
        "VIGIE_BROWSER_RECYCLE_MEMORY_MB": RECYCLE_ABOVE_MB,
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
        "DOWNLOAD_HANDLERS": {"http": DOWNLOAD_HANDLER, "https": DOWNLOAD_HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_BROWSER_PROVIDER": "crawler.browser_provider.LazyChromiumProvider",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {**launch_options(executable), EGRESS_OPTION: {
            "allow_private": bool(getattr(options, "allow_private_hosts", False)),
            "allow_networks": getattr(options, "allow_networks", "")}},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": PAGES_PER_CONTEXT,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        "PLAYWRIGHT_ABORT_REQUEST": ResourcePolicy(screenshots=True,
                                                   allow_private=bool(getattr(options, "allow_private_hosts", False)),
                                                   allow_networks=parse_networks(getattr(options, "allow_networks", ""))),
    }
