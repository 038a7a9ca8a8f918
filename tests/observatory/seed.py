"""Seed rows for the observatory tests: two seller accounts, their listings, snapshots, events and blobs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from store import blobs
from store.daily_counts import count_for_listing
from store.db import session_scope
from store.models import Account, Event, Listing
from store.models_observatory import StatementOfReasons
from store.snapshots import append

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCRIPT_PAGE = (b"<html><head><title>Boutique</title></head><body><h1 id='h'>Lampe</h1>"
               b"<script>document.getElementById('h').textContent='SCRIPT RAN';"
               b"window.parent.document.title='SCRIPT RAN';alert('x')</script>"
               b"<img src=x onerror=\"document.body.innerHTML='SCRIPT RAN'\"></body></html>")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


@dataclass(frozen=True)
class Seeded:
    alice_account: int
    bob_account: int
    alice_listing: int
    bob_listing: int
    delisted_event: int


def _listing(account: Account, url: str, marketplace: str, state: str) -> Listing:
    return Listing(account_id=account.id, url=url, canonical_url=url, marketplace=marketplace, seller=account.name,
                   label=f"{account.name} lamp", state=state, detector_state={}, created_at=T0, next_check_at=T0,
                   last_checked_at=T0 + timedelta(days=3))


def seed(sessions) -> Seeded:
    with session_scope(sessions) as s:
        alice = Account(name="alice-shop", created_at=T0)
        bob = Account(name="bob-shop", created_at=T0)
        s.add_all([alice, bob])
        s.flush()
        a = _listing(alice, "https://www.amazon.fr/dp/B0ALICE001", "amazon", "gone")
        b = _listing(bob, "https://www.cdiscount.com/f-1-bob.html", "cdiscount", "listed")
        s.add_all([a, b])
        s.flush()
        page = blobs.put(s, b"<html><body><h1>Lampe</h1><p>19,90 EUR</p></body></html>", media_type="text/html",
                         now=T0)
        script = blobs.put(s, SCRIPT_PAGE, media_type="text/html", now=T0)
        shot = blobs.put(s, PNG, media_type="image/png", now=T0)
        plan = [("listed", Decimal("19.90"), Decimal("0"), page, shot),
                ("listed", Decimal("24.90"), Decimal("4.99"), script, None),
                ("blocked", None, None, None, None),
                ("gone", None, None, page, None),
                ("gone", None, None, page, shot)]
        last = None
        for i, (outcome, price, fee, body, screenshot) in enumerate(plan):
            last = append(s, a.id, fetched_at=T0 + timedelta(days=i), requested_url=a.url, final_url=a.url,
                          http_status=200 if outcome != "gone" else 404, fetch_method="http", elapsed_ms=120,
                          headers={"content-type": "text/html"}, outcome=outcome, price=price,
                          currency="EUR" if price is not None else None, shipping_fee=fee, seller="alice-shop",
                          title="Lampe <script>alert(1)</script>", availability=None, offers=[], reasons=[],
                          body_sha256=body, screenshot_sha256=screenshot)
        append(s, b.id, fetched_at=T0, requested_url=b.url, final_url=b.url, http_status=200, fetch_method="http",
               elapsed_ms=80, headers={}, outcome="listed", price=Decimal("9.99"), currency="EUR",
               shipping_fee=None, seller="bob-shop", title="Bob secret lamp", availability="InStock", offers=[],
               reasons=[], body_sha256=page, screenshot_sha256=None)
        s.add(Event(listing_id=a.id, kind="price_change", detected_at=T0 + timedelta(days=1), before="19.90",
                    after="24.90", details={"abrupt": True}))
        s.add(Event(listing_id=a.id, kind="shipping_fee_change", detected_at=T0 + timedelta(days=1), before="0",
                    after="4.99", details={"abrupt": True}))
        delisted = Event(listing_id=a.id, snapshot_id=last.id, kind="delisted", detected_at=T0 + timedelta(days=4),
                         before="listed", after="gone", details={})
        s.add(delisted)
        s.add(Event(listing_id=b.id, kind="price_change", detected_at=T0, before="8.99", after="9.99", details={}))
        s.flush()
        for listing in (a, b):  # the days' counts, as the recorder keeps them (snapshots: by `append`)
            count_for_listing(s, listing.id, events=s.execute(select(Event.detected_at, Event.kind)
                                                              .where(Event.listing_id == listing.id)).all())
        return Seeded(alice.id, bob.id, a.id, b.id, delisted.id)


def record_statement(sessions, seeded: Seeded, received_on: date, termination: bool = False) -> None:
    with session_scope(sessions) as s:
        s.add(StatementOfReasons(listing_id=seeded.alice_listing, event_id=seeded.delisted_event,
                                 received_on=received_on, account_termination=termination, recorded_at=T0))
