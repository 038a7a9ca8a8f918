"""A seller's storefront: the set of offers seen on each walk, and what its change means.

Pure: `detect_shop(state, walk, policy=, now=)` over frozen values, no I/O. Its promises (tested
table by table): an incomplete walk (a wall, an error, a page cut short, a page with far fewer
offers than it had) never counts an offer as missing; an offer is missing only after being absent
from `confirmations` consecutive complete walks; a missing offer is *reported* here for its product
page to be looked at (the caller decides hidden vs delisted), never alerted on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from detector.model import Event, EventKind

P2B_NOTICE_DAYS = 30  # Art. 4(2) of Regulation (EU) 2019/1150: notice before terminating a seller's services


@dataclass(frozen=True)
class SeenOffer:
    """One offer as a storefront page listed it."""

    id: str  # the marketplace's own id (ASIN, item number...)
    position: int | None = None
    title: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Walk:
    """One check of a storefront: every page read, in order."""

    complete: bool  # every page read whole, up to the last one
    offers: tuple[SeenOffer, ...] = ()
    page_sizes: tuple[int, ...] = ()  # offers read on each page
    reasons: tuple[str, ...] = ()  # why it is incomplete, or what was noticed
    gone: bool = False  # the storefront itself answered "no such shop" (404/410, closed-shop page)


@dataclass(frozen=True)
class KnownOffer:
    """An offer the storefront has shown, and how many complete walks in a row have not shown it."""

    id: str
    title: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    url: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    misses: int = 0
    reported: bool = False  # already handed over as missing: not again until it comes back


@dataclass(frozen=True)
class ShopState:
    offers: tuple[KnownOffer, ...] = ()
    walks: int = 0  # complete walks so far
    page_size: int = 0  # the most offers a page has held on a complete walk (a full page)
    gone_streak: int = 0  # consecutive walks finding the storefront gone or emptied
    gone_since: datetime | None = None
    gone_reported: bool = False


@dataclass(frozen=True)
class ShopPolicy:
    confirmations: int = 2
    shrink: Decimal = Decimal("0.5")  # a non-last page with under half a full page is a layout problem
    register_new: bool = False  # shop_offer_new: the caller registers new offers as listings


@dataclass(frozen=True)
class ShopFindings:
    """What a walk means: the events to record, the offers whose product page must now be looked at,
    the new offers (registered by the caller when the shop opts in), and why a walk did not count."""

    events: tuple[Event, ...] = ()
    missing: tuple[KnownOffer, ...] = ()
    new: tuple[SeenOffer, ...] = ()
    incomplete: tuple[str, ...] = ()
    counted: bool = False  # the walk was complete and took part in the offer set's history


def judged(walk: Walk, state: ShopState, policy: ShopPolicy) -> Walk:
    """The walk as the detector counts it: a page far shorter than a full page while more pages follow
    (a layout change, a truncated answer) makes it incomplete, whatever the page object said."""
    if not walk.complete or not state.page_size:
        return walk
    floor = state.page_size * policy.shrink
    short = [f"page {n} listed {size} offer(s), a full page had {state.page_size}"
             for n, size in enumerate(walk.page_sizes[:-1], 1) if size < floor]
    return replace(walk, complete=False, reasons=(*walk.reasons, *short)) if short else walk


def detect_shop(state: ShopState, walk: Walk, *, policy: ShopPolicy, now: datetime) -> tuple[ShopState, ShopFindings]:
    walk = judged(walk, state, policy)
    emptied = walk.complete and not walk.gone and not walk.offers and state.walks > 0
    if walk.gone or emptied:
        return _gone(state, walk, policy=policy, now=now, emptied=emptied)
    if not walk.complete:
        return state, ShopFindings(incomplete=walk.reasons or ("walk incomplete",))
    seen = {offer.id: offer for offer in walk.offers}
    known = {offer.id: offer for offer in state.offers}
    offers: list[KnownOffer] = []
    missing: list[KnownOffer] = []
    for offer in state.offers:
        if offer.id in seen:
            s = seen[offer.id]
            offers.append(replace(offer, title=s.title or offer.title, price=s.price, currency=s.currency or offer.currency,
                                  url=s.url or offer.url, last_seen=now, misses=0, reported=False))
            continue
        absent = replace(offer, misses=offer.misses + 1)
        if absent.misses >= policy.confirmations and not absent.reported:
            missing.append(absent)
            absent = replace(absent, reported=True)
        offers.append(absent)
    new = tuple(s for s in walk.offers if s.id not in known)
    offers += [KnownOffer(s.id, s.title, s.price, s.currency, s.url, first_seen=now, last_seen=now) for s in new]
    events: list[Event] = []
    if policy.register_new and state.walks > 0:  # the first walk is the baseline, not news
        events += [_new_event(s, now) for s in new]
    after = ShopState(offers=tuple(offers), walks=state.walks + 1,
                      page_size=max(state.page_size, *walk.page_sizes, 0))
    return after, ShopFindings(events=tuple(events), missing=tuple(missing),
                               new=new if state.walks > 0 else (), counted=True)


def _gone(state: ShopState, walk: Walk, *, policy: ShopPolicy, now: datetime,
          emptied: bool) -> tuple[ShopState, ShopFindings]:
    """Gone or emptied: confirmed like a delisting, reported once; the offers keep their history."""
    since = state.gone_since or now
    streak = state.gone_streak + 1
    after = replace(state, gone_streak=streak, gone_since=since)
    why = "the storefront lists no offer" if emptied else "the storefront is gone"
    if streak < policy.confirmations or state.gone_reported:
        return after, ShopFindings(incomplete=(f"{why} ({streak} of {policy.confirmations} sightings)",))
    notice_from = since - timedelta(days=P2B_NOTICE_DAYS)
    event = Event(EventKind.SHOP_GONE, now, before=f"{len(state.offers)} offers", after=why, details={
        "rule": "emptied" if emptied else "gone",
        "gone_since": since.isoformat(),
        "notice_due_by": notice_from.date().isoformat(),
        "notice_days": str(P2B_NOTICE_DAYS),
        "offers_before": str(len([o for o in state.offers if o.misses == 0])),
        "reasons": "; ".join(walk.reasons),
    })
    return replace(after, gone_reported=True), ShopFindings(events=(event,))


def _new_event(offer: SeenOffer, now: datetime) -> Event:
    return Event(EventKind.SHOP_OFFER_NEW, now, after=offer.title or offer.id, details={
        "offer_id": offer.id, "title": offer.title or "", "url": offer.url or "",
        "price": "" if offer.price is None else str(offer.price), "currency": offer.currency or ""})


def missing_event(offer: KnownOffer, *, now: datetime, hidden: bool, product_outcome: str,
                  confirmations: int) -> Event:
    """shop_offer_missing for an offer whose product page was looked at: `hidden` when the page is live
    with the seller's offer on it (the dimming case)."""
    return Event(EventKind.SHOP_OFFER_MISSING, now, before="in the storefront",
                 after="hidden" if hidden else product_outcome, details={
                     "offer_id": offer.id, "title": offer.title or "", "url": offer.url or "",
                     "price": "" if offer.price is None else str(offer.price), "currency": offer.currency or "",
                     "hidden": "true" if hidden else "false", "product_outcome": product_outcome,
                     "last_seen": offer.last_seen.isoformat() if offer.last_seen else "",
                     "walks_missing": str(max(offer.misses, confirmations))})


def back_in_view(state: ShopState, offer_id: str) -> ShopState:
    """An offer whose product page could not be read (a wall, an error): looked at again next walk."""
    return replace(state, offers=tuple(replace(o, reported=False) if o.id == offer_id else o for o in state.offers))


# -- the state as JSON, for the target's detector_state column -------------------------------------

def state_to_dict(state: ShopState) -> dict[str, Any]:
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {"walks": state.walks, "page_size": state.page_size, "gone_streak": state.gone_streak,
            "gone_since": iso(state.gone_since), "gone_reported": state.gone_reported,
            "offers": [{"id": o.id, "title": o.title, "price": None if o.price is None else str(o.price),
                        "currency": o.currency, "url": o.url, "first_seen": iso(o.first_seen),
                        "last_seen": iso(o.last_seen), "misses": o.misses, "reported": o.reported}
                       for o in state.offers]}


def state_from_dict(data: dict[str, Any] | None) -> ShopState:
    if not data:
        return ShopState()
    when = lambda t: datetime.fromisoformat(t) if t else None  # noqa: E731
    return ShopState(
        offers=tuple(KnownOffer(o["id"], o.get("title"), None if o.get("price") is None else Decimal(o["price"]),
                                o.get("currency"), o.get("url"), when(o.get("first_seen")), when(o.get("last_seen")),
                                o.get("misses", 0), o.get("reported", False)) for o in data.get("offers", ())),
        walks=data.get("walks", 0), page_size=data.get("page_size", 0), gone_streak=data.get("gone_streak", 0),
        gone_since=when(data.get("gone_since")), gone_reported=data.get("gone_reported", False))
