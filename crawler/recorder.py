"""Recording checks: evidence, snapshot, detection, events and outbox rows, in one transaction.

A crash at any point leaves either all of a batch or none of it, so a restart never finds a
snapshot without its events or an event without its emails queued (a lost batch was never
stored: its listings are still due and are simply checked again).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import enqueue
from crawler.targets import CheckResult
from detector import detect
from detector.codec import state_from_dict, state_to_dict
from detector.model import EventKind, Policy
from store import blobs, daily_counts, snapshots
from store.db import session_scope
from store.models import Account, Event, Listing


@dataclass(frozen=True)
class RecorderConfig:
    confirmations: int = 2
    price_threshold: Decimal = Decimal("0.10")
    lang: str = "fr"
    recheck_after: timedelta = timedelta(minutes=10)  # a suspicious sighting is re-checked soon (VIGIE_RECHECK_DELAY)
    jitter: float = 0.0  # ± fraction of the interval, so the service's checks spread instead of bunching


SUPERSEDED = "superseded"  # the outcome of a cluster check whose claim no longer holds: nothing recorded


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

    def policy_for(self, listing: Listing | ListingRow) -> Policy:
        account = listing.account
        threshold = first_set(listing.price_threshold, account.price_threshold, self.config.price_threshold)
        absolute = first_set(listing.price_absolute_threshold, account.price_absolute_threshold)
        glitch = first_set(listing.revert_is_glitch, account.revert_is_glitch)
        return Policy(confirmations=self.config.confirmations, price_threshold=threshold, track_seller=listing.seller,
                      absolute_threshold=absolute, baseline=listing.price_baseline or account.price_baseline
                      or Policy.baseline, revert_is_glitch=Policy.revert_is_glitch if glitch is None else glitch)

    def record(self, result: CheckResult) -> Recorded:
        return self.record_many([result])[0]

    def record_many(self, results: list[CheckResult]) -> list[Recorded]:
        """Records a batch of results in one transaction: all of them or none."""
        with session_scope(self.sessions) as session:
            return self._record_batch(session, results)

    def record_in(self, session: Session, results: list[CheckResult]) -> list[Recorded]:
        """`record_many` inside the caller's transaction (a storefront walk hands a product page over)."""
        return self._record_batch(session, results)

    def _record_batch(self, session: Session, results: list[CheckResult]) -> list[Recorded]:
        ids = {result.target.listing_id for result in results}
        claimed = any(result.target.claim for result in results)
        # cluster mode on PostgreSQL: another node may record or re-claim the same listing at this moment
        lock = claimed and session.get_bind().dialect.name == "postgresql"
        listings = listing_rows(session, ids, lock=lock)
        missing = ids - listings.keys()
        if missing:
            raise LookupError(f"listing(s) {sorted(missing)} vanished during their check")
        if claimed:
            return self._record_claimed(session, results, listings)
        return self._record_rows(session, results, listings)

    def _record_claimed(self, session: Session, results: list[CheckResult],
                        listings: dict[int, ListingRow]) -> list[Recorded]:
        """A check dispatched under a claim is recorded only while that claim holds: a redelivered
        message, or one whose lease ran out and was claimed again, is superseded (one snapshot per due slot)."""
        live = [r for r in results if r.target.claim is None or listings[r.target.listing_id].claim_token == r.target.claim]
        done = iter(self._record_rows(session, live, listings, release_claims=True) if live else [])
        kept = {id(result) for result in live}
        return [next(done) if id(result) in kept else
                Recorded(result.target.listing_id, 0, SUPERSEDED, ()) for result in results]

    def _record_rows(self, session: Session, results: list[CheckResult], listings: dict[int, ListingRow], *,
                     release_claims: bool = False) -> list[Recorded]:
        ids = {result.target.listing_id for result in results}
        links = snapshots.last_links(session, ids)
        evidence = [(r.body, r.media_type) for r in results if r.body]
        evidence += [(r.screenshot, "image/png") for r in results if r.screenshot]
        # each body hashed once (a big marketplace page takes ~1.5 ms), for its blob and its snapshot alike
        digests = {id(data): digest for (data, _), digest in
                   zip(evidence, blobs.put_many(session, evidence, now=results[0].fetched_at) if evidence else [])}
        rows: list[dict] = []
        found: list[list] = []
        changes: dict[int, dict] = {}  # listing id → its new state and schedule (the last result's, if two)
        for result in results:
            listing = listings[result.target.listing_id]
            row = self._snapshot(result, links.get(listing.id, (0, None)), digests)
            links[listing.id] = (row["seq"], row["chain_hash"])
            rows.append(row)
            events, change = self._detect(listing, result)
            found.append(events)
            changes[listing.id] = {"id": listing.id, **change, **({"claim_token": None} if release_claims else {})}
        snapshot_ids = snapshots.insert_rows(session, rows)
        # one executemany by primary key: no unit of work, no identity map for a batch of listings
        session.execute(update(Listing), list(changes.values()))
        recorded, tally = [], daily_counts.Tally()
        for result, snapshot_id, events in zip(results, snapshot_ids, found):
            listing = listings[result.target.listing_id]
            tally.check(result.fetched_at, listing.account_id, listing.marketplace, result.observation.outcome.value)
            kinds = []
            for found_event in events:
                event = Event(listing_id=result.target.listing_id, snapshot_id=snapshot_id,
                              kind=found_event.kind.value, detected_at=found_event.detected_at,
                              before=found_event.before, after=found_event.after, details=dict(found_event.details))
                session.add(event)
                session.flush()
                if found_event.kind is not EventKind.MONITORING_BLOCKED:
                    enqueue(session, event, now=result.fetched_at, default_lang=self.config.lang)
                kinds.append(event.kind)
                tally.event(event.detected_at, listing.account_id, listing.marketplace, event.kind)
            recorded.append(Recorded(result.target.listing_id, snapshot_id, result.observation.outcome.value,
                                     tuple(kinds)))
        tally.save(session)  # last: the days' rows stay locked only until the commit
        return recorded

    @staticmethod
    def _snapshot(result: CheckResult, link: tuple[int, str | None], digests: dict[int, str]) -> dict:
        obs = result.observation
        return snapshots.sealed_row(
            result.target.listing_id, link,
            fetched_at=result.fetched_at, requested_url=result.target.url, final_url=result.final_url,
            http_status=result.http_status, fetch_method=result.fetch_method, elapsed_ms=result.elapsed_ms,
            headers=dict(result.headers), outcome=obs.outcome.value, price=obs.price, currency=obs.currency,
            shipping_fee=obs.shipping_fee, seller=obs.seller, title=obs.title, availability=obs.availability,
            offers=[_offer(o) for o in obs.offers], reasons=list(obs.reasons),
            body_sha256=digests[id(result.body)] if result.body else None,
            screenshot_sha256=digests[id(result.screenshot)] if result.screenshot else None,
            capture=result.capture,
        )

    def _detect(self, listing: ListingRow, result: CheckResult) -> tuple[list, dict]:
        """Runs the detector: the events found, and the listing's new state and schedule as column values.
        The next result of the same listing in this batch starts from that state."""
        now = result.fetched_at
        state, events = detect(state_from_dict(listing.detector_state), result.observation,
                               policy=self.policy_for(listing), now=now)
        listing.detector_state = state_to_dict(state)
        return events, {"detector_state": listing.detector_state,
                        "state": state.status.value if state.status else None, "last_checked_at": now,
                        "next_check_at": self._next_check(listing, now, suspicious=state.pending is not None)}

    def _next_check(self, listing: ListingRow, now: datetime, *, suspicious: bool) -> datetime:
        spread = self._random.uniform(-self.config.jitter, self.config.jitter) if self.config.jitter else 0.0
        regular = now + timedelta(seconds=listing.every_seconds * (1 + spread))
        return min(regular, now + self.config.recheck_after) if suspicious else regular


@dataclass(frozen=True)
class AccountRow:
    price_threshold: Decimal | None
    price_absolute_threshold: Decimal | None
    price_baseline: str | None
    revert_is_glitch: bool | None


@dataclass
class ListingRow:
    """What recording needs of a listing and its account, read as plain columns (not ORM objects: their
    loading and the unit of work that flushed them back were a third of recording a batch)."""

    id: int
    every_seconds: int
    seller: str | None
    price_threshold: Decimal | None
    price_absolute_threshold: Decimal | None
    price_baseline: str | None
    revert_is_glitch: bool | None
    detector_state: dict
    claim_token: str | None
    account_id: int
    marketplace: str  # the two, for the day's counts (store.daily_counts)
    account: AccountRow


_LISTING_COLUMNS = (Listing.id, Listing.every_seconds, Listing.seller, Listing.price_threshold,
                    Listing.price_absolute_threshold, Listing.price_baseline, Listing.revert_is_glitch,
                    Listing.detector_state, Listing.claim_token, Listing.account_id, Listing.marketplace)
_ACCOUNT_COLUMNS = (Account.price_threshold, Account.price_absolute_threshold, Account.price_baseline,
                    Account.revert_is_glitch)


def listing_rows(session: Session, ids: set[int], *, lock: bool = False) -> dict[int, ListingRow]:
    """The listings of a batch by id (`lock`: held FOR UPDATE until the transaction ends, in id order)."""
    query = (select(*_LISTING_COLUMNS, *_ACCOUNT_COLUMNS).join(Account, Listing.account_id == Account.id)
             .where(Listing.id.in_(ids)))
    if lock:
        query = query.order_by(Listing.id).with_for_update(of=Listing)
    found = {}
    for row in session.execute(query):
        values = tuple(row)
        listing = ListingRow(*values[:len(_LISTING_COLUMNS)], account=AccountRow(*values[len(_LISTING_COLUMNS):]))
        found[listing.id] = listing
    return found


def first_set(*values):
    """The listing's own setting, else the account's (None = not configured; False is a setting)."""
    return next((v for v in values if v is not None), None)


def _offer(offer) -> dict:
    money = lambda v: None if v is None else str(v)  # noqa: E731
    row = {"seller": offer.seller, "price": money(offer.price), "currency": offer.currency,
           "shipping_fee": money(offer.shipping_fee), "available": offer.available}
    if offer.variant is not None:
        row["variant"] = offer.variant
    return row
