"""Recording a storefront walk in one transaction: its pages as the shop's hash-chained snapshots,
the walk (offer set, completeness), the detector's verdict, events and outbox rows.

An offer gone from the storefront for `confirmations` complete walks has had its product page looked
at by the spider: live with the seller's offer → shop_offer_missing, "hidden" (the dimming case);
gone or offer gone → that product page check is recorded on the offer's own listing (created for the
shop's account if it had none), where the listing detector's delisting path takes it from there;
a wall or an error → looked at again on the next walk.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.outbox import enqueue
from crawler.recorder import Recorded, Recorder
from crawler.shop_walk import PageFetch, WalkResult
from crawler.targets import CheckResult
from crawler.walk_pages import store_walk_pages
from crawler.urls import BadURL, canonical_url
from detector import codec
from detector.model import Event as FoundEvent, ListingState, Observation, Outcome
from detector.shop import (KnownOffer, ShopPolicy, Walk, back_in_view, detect_shop, judged, missing_event,
                           state_from_dict, state_to_dict)
from spiders import registry
from store import snapshots
from store.daily_counts import count_for_listing
from store.db import session_scope
from store.models import Event, Listing
from store.models_shops import Shop, ShopPass

LIVE = frozenset({Outcome.LISTED, Outcome.UNAVAILABLE})  # the page is there with the seller's offer on it
DELISTED = frozenset({Outcome.GONE, Outcome.OFFER_GONE})


class ShopRecorder:
    def __init__(self, listings: Recorder):
        self.listings = listings  # the product listings' recorder: its sessions, settings and delisting path
        self.sessions = listings.sessions
        self.config = listings.config

    def policy(self, shop: Shop) -> ShopPolicy:
        return ShopPolicy(confirmations=self.config.confirmations, register_new=shop.register_new)

    def max_pages(self, shop_id: int) -> int:
        with session_scope(self.sessions) as session:
            found = session.scalar(select(Shop.max_pages).where(Shop.listing_id == shop_id))
            return found or 1

    def missing_offers(self, shop_id: int, walk: Walk) -> tuple[KnownOffer, ...]:
        """What recording this walk would report missing (read only): the spider looks at their pages."""
        with session_scope(self.sessions) as session:
            shop = session.get(Shop, shop_id)
            if shop is None:
                return ()
            _, findings = detect_shop(state_from_dict(shop.target.detector_state), walk, policy=self.policy(shop),
                                      now=datetime.now(UTC))
            return findings.missing

    def record(self, result: WalkResult) -> list[tuple[CheckResult, Recorded]]:
        """The walk recorded; returns the shop's line and those of product pages recorded on listings."""
        with session_scope(self.sessions) as session:
            return self._record(session, result)

    def _record(self, session: Session, result: WalkResult) -> list[tuple[CheckResult, Recorded]]:
        shop = session.get(Shop, result.target.listing_id)
        if shop is None:
            raise LookupError(f"shop {result.target.listing_id} vanished during its check")
        target = shop.target
        now = result.pages[-1].fetched_at if result.pages else result.started_at
        first_seq, _ = snapshots.last_link(session, target.id)
        snapshot_ids = store_walk_pages(session, target.id, result.pages, title="storefront page {number}",
                                        outcome=_page_outcome)
        before, policy = state_from_dict(target.detector_state), self.policy(shop)
        walk = judged(result.walk(), before, policy)  # as the detector counts it: a cut page makes it incomplete
        state, findings = detect_shop(before, walk, policy=policy, now=now)
        events: list[FoundEvent] = list(findings.events)
        notes: list[str] = list(findings.incomplete)
        lines: list[tuple[CheckResult, Recorded]] = []
        for offer in findings.missing:
            product = result.products.get(offer.id)
            outcome = product.observation.outcome if product else None
            if outcome in LIVE:
                events.append(missing_event(offer, now=now, hidden=True, product_outcome=outcome.value,
                                            confirmations=self.config.confirmations))
            elif outcome in DELISTED:
                listing = self._offer_listing(session, shop, offer.url, offer.title)
                landed = self.listings.record_in(session, [_on(product, listing)])[0]
                lines.append((_on(product, listing), landed))
                notes.append(f"offer {offer.id} left the storefront and its page is {outcome.value}: "
                             f"recorded on listing {listing.id}")
            else:
                state = back_in_view(state, offer.id)
                notes.append(f"offer {offer.id} left the storefront; its page could not be read "
                             f"({'; '.join(product.observation.reasons) if product else 'no product URL'}), "
                             f"looked at again next time")
        if shop.register_new:
            for offer in findings.new:
                if offer.url:
                    listing = self._offer_listing(session, shop, offer.url, offer.title)
                    for event in events:
                        if event.details.get("offer_id") == offer.id and event.kind.value == "shop_offer_new":
                            event.details["listing_id"] = str(listing.id)
        last_snapshot = snapshot_ids[-1] if snapshot_ids else None
        kinds = self._store_events(session, target, events, last_snapshot, now)
        seq, head = snapshots.last_link(session, target.id)
        previous = session.scalar(select(ShopPass.seq).where(ShopPass.shop_id == shop.listing_id)
                                  .order_by(ShopPass.seq.desc()).limit(1)) or 0
        session.add(ShopPass(shop_id=shop.listing_id, seq=previous + 1, started_at=result.started_at, finished_at=now,
                             complete=walk.complete and not walk.gone, gone=walk.gone, pages=len(result.pages),
                             reasons=list(dict.fromkeys([*walk.reasons, *notes])),
                             offers=[_offer_json(o) for o in walk.offers] if walk.complete and not walk.gone else [],
                             first_seq=first_seq + 1 if snapshot_ids else None,
                             last_seq=seq if snapshot_ids else None, chain_hash=head))
        outcome = _outcome(walk, findings.counted)
        # the dashboard's per-day counts: a walk is one check of the shop, its events are the shop's
        count_for_listing(session, target.id, checks=[(now, outcome.value)],
                          events=[(found.detected_at, found.kind.value) for found in events])
        target.detector_state = state_to_dict(state)
        target.state = "gone" if state.gone_reported else "listed" if findings.counted else target.state
        target.last_checked_at = now
        target.claim_token = None  # cluster mode: the walk landed (a superseded claim is not told apart here)
        target.next_check_at = now + timedelta(seconds=target.every_seconds)
        session.flush()
        observation = Observation(outcome, title=target.label, reasons=tuple(dict.fromkeys([*walk.reasons, *notes])))
        shop_line = CheckResult(target=result.target, observation=observation, fetched_at=now,
                                final_url=result.pages[-1].final_url if result.pages else None,
                                http_status=result.pages[0].http_status if result.pages else None)
        return [(shop_line, Recorded(target.id, last_snapshot or 0, outcome.value, tuple(kinds))), *lines]

    def _store_events(self, session: Session, target: Listing, events: list[FoundEvent], snapshot_id: int | None,
                      now: datetime) -> list[str]:
        kinds = []
        for found in events:
            event = Event(listing_id=target.id, snapshot_id=snapshot_id, kind=found.kind.value,
                          detected_at=found.detected_at, before=found.before, after=found.after,
                          details=dict(found.details))
            session.add(event)
            session.flush()
            enqueue(session, event, now=now, default_lang=self.config.lang)
            kinds.append(event.kind)
        return kinds

    def _offer_listing(self, session: Session, shop: Shop, url: str, title: str | None) -> Listing:
        """The shop's account's listing of this product page; registered, with the shop's recipients, if new."""
        adapter = registry.for_url(url)
        try:
            canonical = adapter.canonicalize(canonical_url(url))
        except BadURL:
            canonical = url
        target = shop.target
        listing = session.scalar(select(Listing).where(Listing.account_id == target.account_id,
                                                       Listing.canonical_url == canonical))
        if listing is None:
            # it was on sale in the storefront: that is its baseline, so its disappearance is a delisting
            seen = codec.state_to_dict(ListingState(status=Outcome.LISTED))
            listing = Listing(account_id=target.account_id, kind="listing", url=url, canonical_url=canonical,
                              marketplace=adapter.name, marketplace_ref=adapter.identify(canonical),
                              seller=target.seller, label=(title or "")[:200] or None, every_seconds=target.every_seconds,
                              active=True, state=Outcome.LISTED.value, detector_state=seen, created_at=target.created_at,
                              next_check_at=target.next_check_at)
            listing.recipients = list(target.recipients)
            session.add(listing)
            session.flush()
        elif not listing.active:
            listing.active = True
        return listing


def _on(product: CheckResult, listing: Listing) -> CheckResult:
    return replace(product, target=replace(product.target, listing_id=listing.id, url=listing.canonical_url))


def _page_outcome(page: PageFetch) -> Outcome:
    if page.read.complete:
        return Outcome.LISTED
    if page.read.extra.get("gone") or page.http_status in (404, 410):
        return Outcome.GONE
    return Outcome.BLOCKED if any(r.startswith("blocked") for r in page.read.reasons) else Outcome.ERROR


def _outcome(walk: Walk, counted: bool) -> Outcome:
    if walk.gone or (counted and not walk.offers and walk.complete):
        return Outcome.GONE if walk.gone else Outcome.LISTED
    if counted:
        return Outcome.LISTED
    return Outcome.BLOCKED if any("blocked" in r for r in walk.reasons) else Outcome.ERROR


def _offer_json(offer) -> dict:
    return {"id": offer.id, "position": offer.position, "title": offer.title,
            "price": None if offer.price is None else str(offer.price), "currency": offer.currency, "url": offer.url}
