"""Screenshots of the observatory's main pages for the README: `.venv/bin/python docs/make_screenshots.py`.

Seeds a throwaway SQLite database with the test scenario (two sellers, a delisting, a price and a
delivery-fee jump), serves the observatory on loopback and photographs it with Chromium.
"""
from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from observatory.accounts import add_user  # noqa: E402
from observatory.app import create_app  # noqa: E402
from observatory.config import ObservatoryConfig  # noqa: E402
from observatory.server import RunningObservatory  # noqa: E402
from store.db import make_engine, session_factory, session_scope, sqlite_url  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Account  # noqa: E402
from tests.observatory.seed import T0, record_statement, seed  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshots only"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder)))
        upgrade(engine)
        sessions = session_factory(engine)
        seeded = seed(sessions)
        record_statement(sessions, seeded, date(2026, 3, 6))
        with session_scope(sessions) as s:
            add_user(s, "ivy@example.org", "investigator", now=T0, password=PASSWORD)
            add_user(s, "alice@example.org", "seller", now=T0, password=PASSWORD,
                     account=s.get(Account, seeded.alice_account))
        app = create_app(ObservatoryConfig(allow_private_hosts=True, clock=lambda: T0.replace(day=9)), sessions)
        with RunningObservatory(app) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url + "/")
            page.screenshot(path=OUT / "login.png")
            _log_in(page, server.url, "ivy@example.org")
            page.screenshot(path=OUT / "dashboard.png", full_page=True)
            page.goto(server.url + "/listings")
            page.screenshot(path=OUT / "listings.png", full_page=True)
            page.goto(f"{server.url}/listings/{seeded.alice_listing}?a=1&b=2")
            page.screenshot(path=OUT / "listing.png", full_page=True)
            # full-page captures leave out-of-process (sandboxed) frames blank: photograph that part in view
            page.locator("#stored").scroll_into_view_if_needed()
            page.frame_locator("iframe.stored").locator("h1").wait_for()
            page.screenshot(path=OUT / "stored-page.png")
            page.goto(server.url + "/events")
            page.screenshot(path=OUT / "events.png", full_page=True)
            page.context.clear_cookies()
            _log_in(page, server.url, "alice@example.org")
            page.goto(server.url + "/register")
            page.screenshot(path=OUT / "register.png", full_page=True)
            _add_channel(page, server.url, "json://127.0.0.1:9/team-chat", "digest")
            _add_channel(page, server.url, "ntfy://127.0.0.1:9/alice-phone", "", personal=True)
            _add_channel(page, server.url, "mailto:equipe@alice-shop.example", "")
            _add_channel(page, server.url, "webhook+http://127.0.0.1:9/hooks/vigie", "")
            page.screenshot(path=OUT / "account-secret.png", full_page=True)  # the secret, in this page only
            page.goto(server.url + "/account")
            page.screenshot(path=OUT / "account.png", full_page=True)
            browser.close()
        engine.dispose()
    print(f"screenshots written to {OUT}")


def _add_channel(page, base: str, url: str, mode: str, personal: bool = False) -> None:
    page.goto(base + "/account")
    page.fill("input[name=url]", url)
    page.select_option("select[name=mode]", mode)
    if personal:
        page.check("input[name=personal]")
    page.click("text=Add >> nth=-1")
    page.wait_for_selector("p.notice")


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Per marketplace and week")


if __name__ == "__main__":
    main()
