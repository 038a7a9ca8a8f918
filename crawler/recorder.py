"""Recording one check: evidence, snapshot, detection, events and outbox rows, in one transaction.

A crash at any point leaves either all of it or none of it, so a restart never finds a
snapshot without its events or an event without its emails queued.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import enqueue
from crawler.targets import CheckResult
from detector import detect
from detector.codec import state_from_dict, state_to_dict
from detector.model import EventKind, Policy
from store import blobs, snapshots
from store.db import session_scope
from store.models import Event, Listing


@dataclass(frozen=True)
class RecorderConfig:
    confirmations: int = 2
    price_threshold: Decimal = Decimal("0.10")
    lang: str = "fr"
    recheck_after: timedelta = timedelta(minutes=10)  # a suspicious sighting is re-checked soon (VIGIE_RECHECK_DELAY)
    jitter: float = 0.0  # ± fraction of the interval, so the service's checks spread instead of bunching


@dataclass(frozen=True)
class Recorded:
    listing_id: int
    snapshot_id: int
    outcome: str
    events: tuple[str, ...]


class Recorder:
    def __init__(self, sessions: sessionmaker[Session], config: RecorderConfig):
        self.sessions = sessions
        self.config = config
        self._random = random.Random()

    def policy_for(self, listing: Listing) -> Policy:
        account = listing.account
        threshold = listing.price_threshold or account.price_threshold or self.config.price_threshold
        absolute = first_set(listing.price_absolute_threshold, account.price_absolute_threshold)
        glitch = first_set(listing.revert_is_glitch, account.revert_is_glitch)
        return Policy(confirmations=self.config.confirmations, price_threshold=threshold, track_seller=listing.seller,
                      absolute_threshold=absolute, baseline=listing.price_baseline or account.price_baseline
                      or Policy.baseline, revert_is_glitch=Policy.revert_is_glitch if glitch is None else glitch)

    def record(self, result: CheckResult) -> Recorded:
        with session_scope(self.sessions) as session:
            return self._record(session, result)

    def _record(self, session: Session, result: CheckResult) -> Recorded:
        listing = session.get(Listing, result.target.listing_id)
        if listing is None:
            raise LookupError(f"listing {result.target.listing_id} vanished during its check")
        now = result.fetched_at
        obs = result.observation
        body_sha = screenshot_sha = None
        if result.body:
            body_sha = blobs.put(session, result.body, media_type=result.media_type, now=now)
        if result.screenshot:
            screenshot_sha = blobs.put(session, result.screenshot, media_type="image/png", now=now)
        snapshot = snapshots.append(
            session, listing.id,
            fetched_at=now, requested_url=result.target.url, final_url=result.final_url,
            http_status=result.http_status, fetch_method=result.fetch_method, elapsed_ms=result.elapsed_ms,
            headers=dict(result.headers), outcome=obs.outcome.value, price=obs.price, currency=obs.currency,
            shipping_fee=obs.shipping_fee, seller=obs.seller, title=obs.title, availability=obs.availability,
            offers=[_offer(o) for o in obs.offers], reasons=list(obs.reasons),
            body_sha256=body_sha, screenshot_sha256=screenshot_sha,
        )
        state, found = detect(state_from_dict(listing.detector_state), obs, policy=self.policy_for(listing), now=now)
        listing.detector_state = state_to_dict(state)
        listing.state = state.status.value if state.status else None
        listing.last_checked_at = now
        listing.next_check_at = self._next_check(listing, now, suspicious=state.pending is not None)
        kinds = []
        for found_event in found:
            row = Event(listing_id=listing.id, snapshot_id=snapshot.id, kind=found_event.kind.value,
                        detected_at=found_event.detected_at, before=found_event.before, after=found_event.after,
                        details=dict(found_event.details))
            session.add(row)
            session.flush()
            if found_event.kind is not EventKind.MONITORING_BLOCKED:
                enqueue(session, row, now=now, default_lang=self.config.lang)
            kinds.append(row.kind)
        return Recorded(listing.id, snapshot.id, obs.outcome.value, tuple(kinds))

    def _next_check(self, listing: Listing, now: datetime, *, suspicious: bool) -> datetime:
        spread = self._random.uniform(-self.config.jitter, self.config.jitter) if self.config.jitter else 0.0
        regular = now + timedelta(seconds=listing.every_seconds * (1 + spread))
        return min(regular, now + self.config.recheck_after) if suspicious else regular


def first_set(*values):
    """The listing's own setting, else the account's (None = not configured; False is a setting)."""
    return next((v for v in values if v is not None), None)


def _offer(offer) -> dict:
    money = lambda v: None if v is None else str(v)  # noqa: E731
    return {"seller": offer.seller, "price": money(offer.price), "currency": offer.currency,
            "shipping_fee": money(offer.shipping_fee), "available": offer.available}
