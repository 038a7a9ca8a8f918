"""Two weeks of the demo's shop, for the README's screenshots: the `vigie demo` catalogue (vigie.demo) served by the
sandbox marketplace, fetched over HTTP, read by the marketplace's page object and recorded by the crawler's
Recorder (hash chain, detector, events, outbox) — at checks twelve hours apart instead of seconds apart, so the
pages show a history a seller would have.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.recorder import Recorder, RecorderConfig
from crawler.targets import CheckResult, CheckTarget
from observatory.accounts import add_user
from sandbox.catalog import Catalog
from sandbox.server import run_in_thread
from spiders import registry
from spiders.page import PageInput
from store.db import make_engine, session_factory, session_scope, sqlite_url
from store.migrate import upgrade
from store.models import Listing
from vigie.demo import EMAIL, SELLER, demo_listings
from vigie.registration import NewListing, account_named, store_listing, validate

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
EVERY = timedelta(hours=12)
CHECKS = 28
# check number -> (product id, changes): what the marketplace does over the two weeks
SCRIPT = {
    9: [("lampe", {"price": "115.70"})],  # +30 %: abrupt, confirmed by the next check
    12: [("bougie", {"state": "server_error"})],  # one 503: no alert
    13: [("bougie", {"state": "listed"})],
    15: [("coussin", {"state": "out_of_stock"})],
    17: [("lampe", {"shipping_fee": "6.90"})],
    19: [("vase", {"state": "bot_wall"})],  # blocked from here on: the operator is told, not the seller
    21: [("plaid", {"state": "offer_removed"})],
    24: [("tasse", {"state": "not_found"})],
}
PASSWORD = "screenshots only"
SELLER_LOGIN = EMAIL
INVESTIGATOR_LOGIN = "enquetes@observatoire.example"


def _fetch(url: str) -> tuple[int, dict[str, str], bytes, int]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local sandbox
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    return status, headers, body, int((time.monotonic() - started) * 1000)


def build(folder: Path):
    """A migrated SQLite database in `folder` with the demo's two weeks; returns its session factory."""
    engine = make_engine(sqlite_url(folder))
    upgrade(engine)
    sessions = session_factory(engine)
    catalog = Catalog(item.product for item in demo_listings())
    with run_in_thread(catalog) as sandbox:
        with session_scope(sessions) as s:
            account = account_named(s, SELLER, now=START - timedelta(days=1), lang="fr")
            for item in demo_listings():
                checked = validate(NewListing(url=f"{sandbox.url}/p/{item.product.id}", seller=SELLER,
                                              emails=(EMAIL,), label=item.product.title), allow_private=True)
                store_listing(s, checked, account=account, now=START - timedelta(hours=1))
            add_user(s, SELLER_LOGIN, "seller", now=START, account=account, password=PASSWORD)
            add_user(s, INVESTIGATOR_LOGIN, "investigator", now=START, password=PASSWORD)
        with session_scope(sessions) as s:
            targets = [CheckTarget(row.id, row.url, row.marketplace, row.seller)
                       for row in s.query(Listing).order_by(Listing.id)]
        recorder = Recorder(sessions, RecorderConfig(confirmations=2))
        for number in range(CHECKS):
            for product_id, changes in SCRIPT.get(number, []):
                catalog.patch(product_id, **changes)
            now = START + number * EVERY
            results = []
            for offset, target in enumerate(targets):
                status, headers, body, elapsed = _fetch(target.url)
                page = PageInput(url=target.url, body=body, status=status, requested_url=target.url,
                                 headers=headers, seller=target.seller)
                observation = registry.by_name(target.marketplace).observe(page)
                results.append(CheckResult(target, observation, now + timedelta(minutes=2 * offset),
                                           final_url=target.url, http_status=status, elapsed_ms=elapsed,
                                           headers={k.lower(): v for k, v in headers.items()
                                                    if k.lower() in ("content-type", "server", "cache-control")},
                                           body=body))
            recorder.record_many(results)
    return engine, sessions, START + CHECKS * EVERY
