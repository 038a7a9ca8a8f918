"""`vigie demo`: the whole loop on a temporary data directory, against the sandbox and a local mail catcher.

It drives the real command line (`vigie add`, `vigie check --all`) in child processes, exactly as
a seller would, and scripts the marketplace between passes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Offer, Product
from sandbox.server import run_in_thread
from sandbox.storefront import slug

SELLER = "Atelier Dupont"
EMAIL = "vendeur@atelier-dupont.example"


@dataclass(frozen=True)
class DemoListing:
    product: Product
    label: str
    expect: str  # what the scenario does to it, for the summary


def demo_listings() -> list[DemoListing]:
    def product(pid: str, title: str, price: str, markup: str = "generic", shipping: str = "0", **kw) -> Product:
        return Product(id=pid, title=title, price=Decimal(price), seller=SELLER, markup=markup,
                       shipping_fee=Decimal(shipping), **kw)

    return [
        DemoListing(product("tasse", "Tasse en céramique émaillée", "19.99"), "Tasse", "delisted (404)"),
        DemoListing(product("lampe", "Lampe de bureau en laiton", "89.00", shipping="4.90"), "Lampe",
                    "price +30 %"),
        DemoListing(product("coussin", "Coussin en lin lavé", "24.90"), "Coussin", "out of stock"),
        DemoListing(product("plaid", "Plaid en laine mérinos", "59.00",
                            other_offers=(Offer(seller="Maison Lefèvre", price=Decimal("61.00")),)),
                    "Plaid", "offer gone"),
        DemoListing(product("vase", "Vase en grès", "34.50"), "Vase", "bot wall burst: no alert"),
        DemoListing(product("bougie", "Bougie parfumée", "14.00"), "Bougie", "one 503: no alert"),
    ]


# Sold by the same seller but not registered as a listing: only the storefront watch sees it.
HIDDEN = Product(id="cadre", title="Cadre photo en chêne", price=Decimal("29.00"), seller=SELLER)

# Between passes, the marketplace changes: (pass number, product id, changes).
SCRIPT: list[tuple[int, str, dict]] = [
    (2, "tasse", {"state": "not_found"}),
    (2, "lampe", {"price": Decimal("115.70")}),
    (2, "coussin", {"state": "out_of_stock"}),
    (2, "plaid", {"state": "offer_removed"}),
    (2, "vase", {"state": "bot_wall"}),
    (2, "bougie", {"state": "server_error"}),
    (3, "bougie", {"state": "listed"}),
    (2, "cadre", {"in_storefront": False}),  # left out of the storefront, its page still on sale
    (3, "lampe", {"in_search": False}),  # out of the search results, its page still on sale
]
PASSES = 4
# the lamp's search watches: keywords (found on passes 1-2, then absent) and its own id ("is it indexed?")
SEARCHES = ("lampe laiton", "lampe")


def run_demo(echo: Callable[[str], None], keep_dir: Path | None = None) -> int:
    started = time.monotonic()
    data_dir = keep_dir or Path(tempfile.mkdtemp(prefix="vigie-demo-"))
    listings = demo_listings()
    catalog = Catalog([*(item.product for item in listings), HIDDEN])
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp:
        env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_SMTP_URL": smtp.url,
               "VIGIE_ALLOW_PRIVATE_HOSTS": "1", "VIGIE_CONFIRMATIONS": "2", "VIGIE_DATABASE_URL": "",
               "VIGIE_SEARCH_RATE": "20"}  # the local sandbox's search, not a marketplace's
        echo(f"Vigie demo — data in {data_dir}")
        echo(f"  sandbox marketplace at {sandbox.url}, mail catcher at {smtp.url}")
        for item in listings:
            _vigie(env, "add", f"{sandbox.url}/p/{item.product.id}", "--seller", SELLER, "--email", EMAIL,
                   "--label", item.label)
        _vigie(env, "add-shop", f"{sandbox.url}/shop/{slug(SELLER)}", "--seller", SELLER, "--email", EMAIL)
        lamp = next(n for n, item in enumerate(listings, 1) if item.product.id == "lampe")
        for query in SEARCHES:
            _vigie(env, "search", "add", str(lamp), query, "--every", "1h")
        echo(f"  registered {len(listings)} listings, the storefront of {SELLER} and {len(SEARCHES)} searches "
             f"for the lamp, for {EMAIL}")
        for number in range(1, PASSES + 1):
            for _, pid, changes in (step for step in SCRIPT if step[0] == number):
                catalog.patch(pid, **changes)
            result = json.loads(_vigie(env, "check", "--all", "--json"))
            outcomes = ", ".join(f"{r['listing_id']}:{r['outcome']}" for r in result["results"])
            echo(f"  pass {number}: {outcomes}; events: {', '.join(result['events']) or 'none'}")
        events = json.loads(_vigie(env, "events", "--json"))
        smtp.wait_for(len(events), timeout=10)
        mail_dir = data_dir / "demo-mail"
        mail_dir.mkdir(exist_ok=True)
        for n, message in enumerate(smtp.messages, 1):
            (mail_dir / f"{n:02d}.eml").write_bytes(message.as_bytes())
    echo("")
    echo("What the scenario did, and what Vigie found:")
    by_listing: dict[int, list[str]] = {}
    for event in events:
        by_listing.setdefault(event["listing_id"], []).append(event["kind"])
    for number, item in enumerate(listings, 1):
        found = ", ".join(by_listing.get(number, [])) or "no event"
        echo(f"  {item.label:<8} {item.expect:<26} → {found}")
    shop_events = by_listing.get(len(listings) + 1, [])
    echo(f"  {'Boutique':<8} {'Cadre hidden from the shop':<26} → {', '.join(shop_events) or 'no event'}")
    for offset, query in enumerate(SEARCHES, 2):
        found = ", ".join(by_listing.get(len(listings) + offset, [])) or "no event"
        echo(f"  {'Search':<8} {'« ' + query + ' » hidden':<26} → {found}")
    echo(f"{len(events)} events, {len(smtp.messages)} emails sent to {EMAIL} "
         f"(copies in {mail_dir}); took {time.monotonic() - started:.1f} s")
    vigie = Path(sys.executable).with_name("vigie")  # the demo's own install, on PATH or not
    echo(f"Explore: VIGIE_DATA_DIR={data_dir} {vigie} events   (or: ... {vigie} history 1)")
    return 0


def _vigie(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "vigie", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"vigie {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout
