"""Browser discovery, the settings it produces, what pages may fetch, and browser memory (no Chromium needed)."""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy_playwright.page import PageMethod

from crawler import browser
from crawler.browser_memory import browser_pss, browser_rss, descendants
from crawler.browser_page import SCREENSHOT_METHOD, browser_meta, full_page_png, screenshot_of
from crawler.browser_routes import ResourcePolicy
from crawler.runner import CrawlOptions


def executable(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_the_configured_path_wins(tmp_path):
    mine = executable(tmp_path / "my-chromium")
    assert browser.find_browser(mine, managed=lambda: "/other", fallback="/usr/bin/true") == mine


def test_a_configured_path_that_does_not_exist_finds_nothing_rather_than_another_browser(tmp_path):
    fallback = executable(tmp_path / "chromium")
    assert browser.find_browser("/nonexistent", managed=lambda: fallback, fallback=fallback) is None


def test_a_playwright_managed_chromium_comes_before_debians(tmp_path):
    fallback = executable(tmp_path / "debian" / "chromium")
    managed = executable(tmp_path / "ms-playwright" / "chromium-1200" / "chrome-linux" / "chrome")
    executable(tmp_path / "ms-playwright" / "chromium-1100" / "chrome-linux" / "chrome")
    found = browser.managed_chromium([tmp_path / "ms-playwright"])
    assert found == managed  # the newest build
    assert browser.find_browser(None, managed=lambda: found, fallback=fallback) == managed
    assert browser.find_browser(None, managed=lambda: None, fallback=fallback) == fallback
    assert browser.find_browser(None, managed=lambda: None, fallback=str(tmp_path / "none")) is None


def test_a_non_executable_file_is_no_browser(tmp_path):
    plain = tmp_path / "chromium"
    plain.write_text("")
    assert browser.find_browser(str(plain)) is None


def test_without_a_browser_the_settings_carry_only_the_install_hint():
    settings = browser.browser_settings(CrawlOptions(browser_path="/nonexistent"))
    assert list(settings) == ["VIGIE_BROWSER_UNAVAILABLE"]
    line = settings["VIGIE_BROWSER_UNAVAILABLE"]
    assert "\n" not in line
    assert "VIGIE_BROWSER_PATH=/nonexistent" in line
    assert "apt-get install chromium" in line and "playwright install chromium" in line


def test_a_disabled_browser_path_changes_nothing():
    assert browser.browser_settings(CrawlOptions(browser=False), find=lambda _: "/usr/bin/chromium") == {}


def test_with_a_browser_playwright_handles_both_schemes_headless_and_quiet():
    settings = browser.browser_settings(CrawlOptions(timeout=12, allow_private_hosts=True),
                                        find=lambda configured: "/opt/chromium")
    assert settings["DOWNLOAD_HANDLERS"] == {"http": browser.DOWNLOAD_HANDLER, "https": browser.DOWNLOAD_HANDLER}
    assert settings["TWISTED_REACTOR"] == browser.ASYNCIO_REACTOR
    launch = settings["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert launch["executable_path"] == "/opt/chromium" and launch["headless"] is True
    for flag in ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"):
        assert flag in launch["args"]
    assert settings["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] == 12_000
    assert settings["VIGIE_BROWSER_READY_TIMEOUT_MS"] == 12_000
    assert settings["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] >= 1 and settings["PLAYWRIGHT_MAX_CONTEXTS"] >= 1
    assert isinstance(settings["PLAYWRIGHT_ABORT_REQUEST"], ResourcePolicy)


@dataclass
class FakeRequest:
    url: str
    resource_type: str = "document"


def aborts(policy: ResourcePolicy, request: FakeRequest) -> bool:
    return asyncio.run(policy(request))


@pytest.mark.parametrize("kind", ["image", "font", "media"])
def test_heavy_resources_are_aborted_without_screenshots_only(kind):
    request = FakeRequest("http://127.0.0.1/x", kind)
    assert aborts(ResourcePolicy(screenshots=False, allow_private=True), request)
    assert aborts(ResourcePolicy(screenshots=True, allow_private=True), request) is (kind == "media")


def test_pages_and_their_data_are_fetched():
    policy = ResourcePolicy(screenshots=False, allow_private=True)
    for kind in ("document", "script", "xhr", "fetch", "stylesheet"):
        assert not aborts(policy, FakeRequest("http://127.0.0.1:8000/p/1", kind))
    assert not aborts(policy, FakeRequest("data:text/plain,hi", "fetch"))


@pytest.mark.parametrize("url", ["http://127.0.0.1/admin", "http://169.254.169.254/latest/meta-data",
                                 "http://10.0.0.7/", "file:///etc/passwd", "http://0x7f.1/"])
def test_a_page_cannot_reach_the_operators_network(url):
    assert aborts(ResourcePolicy(screenshots=True, allow_private=False), FakeRequest(url, "xhr"))


def test_launch_flags_leave_playwrights_feature_lists_alone():
    # Chromium keeps the last --disable-features it is given: one here would replace Playwright's,
    # which turns off the features that call Google (OptimizationHints, NetworkTimeServiceQuerying…)
    args = browser.launch_options("/usr/bin/chromium")["args"]
    assert not [a for a in args if a.startswith(("--disable-features", "--enable-features"))]
    assert "--disable-background-networking" in args and "--disable-back-forward-cache" in args


def test_browser_meta_waits_for_data_then_takes_a_full_page_png():
    meta = browser_meta(ready_timeout_ms=1234, screenshot=True)
    assert meta["playwright"] is True and meta["vigie_fetch_method"] == "browser"
    ready, shot = meta["playwright_page_methods"].values()
    assert ready.method == "wait_for_function" and ready.kwargs["timeout"] == 1234
    assert shot.method is full_page_png and shot.kwargs == {"timeout_ms": 1234}
    without = browser_meta(ready_timeout_ms=1, screenshot=False)["playwright_page_methods"]
    assert SCREENSHOT_METHOD not in without and len(without) == 1


def test_the_screenshot_is_read_from_its_page_method():
    method = PageMethod("screenshot")
    method.result = b"\x89PNG..."
    assert screenshot_of({"playwright_page_methods": {SCREENSHOT_METHOD: method}}) == b"\x89PNG..."
    assert screenshot_of({"playwright_page_methods": {SCREENSHOT_METHOD: PageMethod("screenshot")}}) is None
    assert screenshot_of({"vigie_screenshot": b"png"}) == b"png"


def fake_proc(root: Path, processes: dict[int, tuple[str, int, int]], pss_kb: dict[int, int] | None = None) -> Path:
    """pid → (name, parent, resident pages); pid → PSS in kB for the processes that have smaps_rollup."""
    for pid, (name, parent, pages) in processes.items():
        entry = root / str(pid)
        entry.mkdir(parents=True)
        (entry / "stat").write_text(f"{pid} ({name}) S {parent} 1 1 0 -1\n")
        (entry / "statm").write_text(f"1000 {pages} 10 1 0 100 0\n")
        if pss_kb and pid in pss_kb:
            (entry / "smaps_rollup").write_text(
                f"00400000-ff000000 ---p 00000000 00:00 0  [rollup]\nRss:  {pages * 4} kB\n"
                f"Pss:  {pss_kb[pid]} kB\nPss_Anon:  1 kB\n")
    return root


def test_browser_memory_sums_the_chromium_processes_below_us(tmp_path):
    proc = fake_proc(tmp_path / "proc", {
        100: ("python", 1, 50), 101: ("node", 100, 20), 102: ("chrome", 101, 100),
        103: ("chrome (renderer)", 102, 30), 104: ("chromium", 1, 999), 105: ("headless_shell", 101, 5)})
    assert descendants(100, proc) == {101: "node", 102: "chrome", 103: "chrome (renderer)", 105: "headless_shell"}
    page = os.sysconf("SC_PAGE_SIZE")
    assert browser_rss(100, proc) == (100 + 30 + 5) * page


def test_browser_memory_divides_shared_pages_and_falls_back_to_rss(tmp_path):
    proc = fake_proc(tmp_path / "proc", {
        100: ("python", 1, 50), 101: ("node", 100, 20), 102: ("chromium", 101, 100),
        103: ("chromium", 102, 80), 104: ("chromium", 102, 60)}, pss_kb={100: 999, 102: 300, 103: 120})
    page = os.sysconf("SC_PAGE_SIZE")
    # 104 has no smaps_rollup (an old kernel): its RSS stands in; python and node are not the browser
    assert browser_pss(100, proc) == (300 + 120) * 1024 + 60 * page
    assert browser_rss(100, proc) == (100 + 80 + 60) * page


def test_the_tab_lender_sees_every_response_before_a_redirect_can_replace_it():
    # process_response runs from the highest priority down: below a redirect or meta refresh, a
    # replaced response would skip it and its tab would never be given back
    from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE

    from crawler import settings

    lender = settings.DOWNLOADER_MIDDLEWARES["crawler.browser_recycle.BrowserRecycleMiddleware"]
    assert lender > max(DOWNLOADER_MIDDLEWARES_BASE.values())
