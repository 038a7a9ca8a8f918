"""Screenshots of the observatory for the README, in French and in English: `make screenshots`
(or `.venv/bin/python docs/make_screenshots.py`).

Builds two weeks of the demo's shop (docs/demo_history.py: the sandbox marketplace, the real page objects and
recorder), serves the observatory on loopback and photographs it with Chromium (VIGIE_BROWSER_PATH, default
/usr/bin/chromium), once with a French browser and once with an English one, into docs/screenshots/{fr,en}/.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "docs")]

from playwright.sync_api import sync_playwright  # noqa: E402

from demo_history import INVESTIGATOR_LOGIN, PASSWORD, SELLER_LOGIN, build  # noqa: E402
from observatory.app import create_app  # noqa: E402
from observatory.config import ObservatoryConfig  # noqa: E402
from observatory.server import RunningObservatory  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("VIGIE_BROWSER_PATH") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
LAMP, CUP = 2, 1  # the demo's listings: the lamp's price jumps, the cup is delisted


def shoot(base: str, browser, lang: str) -> None:
    folder = OUT / lang
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/")
    page.screenshot(path=folder / "login.png")
    _log_in(page, base, SELLER_LOGIN)
    page.screenshot(path=folder / "dashboard.png", full_page=True)
    page.goto(f"{base}/listings/{LAMP}?a=9&b=10")
    page.screenshot(path=folder / "listing.png", full_page=True, clip=_above(page, "#stored"))
    page.locator("#price-chart").screenshot(path=folder / "chart.png")
    page.goto(f"{base}/listings/{CUP}")
    page.screenshot(path=folder / "delisted.png", full_page=True, clip=_above(page, "h2:has-text('P2B')"))
    page.goto(base + "/register")
    page.screenshot(path=folder / "register.png", full_page=True)
    if lang == "en":
        _add_channel(page, base, "json://127.0.0.1:9/team-chat", "digest")
        _add_channel(page, base, "ntfy://127.0.0.1:9/alice-phone", "", personal=True)
        _add_channel(page, base, "mailto:equipe@example.fr", "")
        _add_channel(page, base, "webhook+http://127.0.0.1:9/hooks/vigie", "")
        page.screenshot(path=folder / "account-secret.png", full_page=True)  # the secret, in this page only
    page.goto(base + "/account")
    page.screenshot(path=folder / "account.png", full_page=True)
    context.clear_cookies()
    _log_in(page, base, INVESTIGATOR_LOGIN)
    page.goto(base + "/events")
    page.screenshot(path=folder / "events.png", full_page=True)
    page.goto(base + "/listings")
    page.screenshot(path=folder / "listings.png", full_page=True)
    context.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine, sessions, now = build(Path(folder))
        app = create_app(ObservatoryConfig(allow_private_hosts=True, clock=lambda: now), sessions)
        with RunningObservatory(app) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for lang in ("en", "fr"):  # English first: it adds the channels (its buttons say "Add")
                shoot(server.url, browser, lang)
            browser.close()
        engine.dispose()
    print(f"screenshots written to {OUT}/fr and {OUT}/en")


def _above(page, selector: str) -> dict:
    """The page down to `selector`: full-page captures leave sandboxed frames (the stored page) blank."""
    box = page.locator(selector).first.bounding_box()
    return {"x": 0, "y": 0, "width": 1280, "height": box["y"] - 8}


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
    page.wait_for_selector("#attention")


if __name__ == "__main__":
    main()
