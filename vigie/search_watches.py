"""Registering search watches (issue 27): every way in goes through `add_search_watch`.

A watch belongs to the watched listing's account and alerts the listing's recipients. Its target row is a
`listings` row of kind "search" whose URL is the query's first results page; its `search_watches` row says
which product id the results must show. A query equal to that id (or to the listing's EAN) asks "is it indexed at all?".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.search_urls import search_site
from detector.search_visibility import SearchPolicy
from crawler.urls import BadURL
from said import N_
from store.models import Listing
from store.models_search import DEFAULT_PAGES, MAX_DROP_THRESHOLD, MAX_KEYWORD_WATCHES, MAX_PAGES, SearchWatch
from vigie import limits
from vigie.registration import RegistrationError, _every, one_line

DEFAULT_EVERY = timedelta(days=1)  # search pages are the most guarded: once a day unless asked
EVERY_MIN = timedelta(hours=1)
QUERY_CHARS = 200
DEFAULT_DROP_THRESHOLD = SearchPolicy().rank_drop  # a watch without a threshold of its own (drop_threshold NULL)


@dataclass(frozen=True)
class NewSearchWatch:
    listing_id: int
    query: str | None
    every: str | None = None
    pages: int = DEFAULT_PAGES
    threshold: int | None = None  # organic positions worse than the baseline median; None: the default
    own_id: bool = False  # query by the product's own id (then `query` stays empty)


def add_search_watch(session: Session, request: NewSearchWatch, *, allow_private: bool, now: datetime) -> SearchWatch:
    """The watch stored (a removed one with the same query comes back with its history); RegistrationError else.
    With `own_id` the query is the product's own id (the web form's checkbox), whatever its marketplace calls it."""
    query = one_line(N_("the query"), request.query) or ""
    if request.own_id and query:
        raise RegistrationError(N_("give keywords or ask for the product's own id, not both"))
    if not query and not request.own_id:
        raise RegistrationError(N_("the query is empty: give keywords, or the product's own id"))
    if len(query) > QUERY_CHARS:
        # not grouped: "1234 characters" as the CLI always said it
        raise RegistrationError(N_("the query is %(chars)s characters long: at most %(limit)s"),
                                chars=str(len(query)), limit=QUERY_CHARS)
    if isinstance(request.pages, bool) or not 1 <= request.pages <= MAX_PAGES:
        raise RegistrationError(N_("--pages: from 1 to %(most)s, got %(pages)s"), most=MAX_PAGES,
                                pages=str(request.pages))
    if request.threshold is not None and (isinstance(request.threshold, bool)
                                          or not 0 <= request.threshold <= MAX_DROP_THRESHOLD):
        raise RegistrationError(N_("--threshold: from 0 to %(most)s positions, got %(threshold)s"),
                                most=MAX_DROP_THRESHOLD, threshold=str(request.threshold))
    every = _every(request.every, at_least=limits.EVERY_MIN_LOCAL if allow_private else EVERY_MIN) \
        if request.every else DEFAULT_EVERY
    listing = session.get(Listing, request.listing_id)
    if listing is None or listing.kind != "listing" or not listing.active:
        raise RegistrationError(N_("no watched listing with id %(id)s"), id=str(request.listing_id))
    try:
        site = search_site(listing.canonical_url, listing.marketplace, listing.marketplace_ref)
    except BadURL as exc:
        raise RegistrationError(exc.text) from None
    query = query or site.product_ref
    # the product's own id: its marketplace id (what the results show) or its EAN
    id_query = query.casefold() in {site.product_ref.casefold(), (listing.ean or site.product_ref).casefold()}
    url = site.ask(query)
    target = session.scalar(select(Listing).where(Listing.account_id == listing.account_id, Listing.kind == "search",
                                                  Listing.canonical_url == url))
    if target is not None and target.active:
        raise RegistrationError(N_("already watched as search %(id)s: %(query)s for listing %(listing)s"),
                                id=str(target.id), query=repr(query), listing=str(listing.id))
    _within_limits(session, listing, id_query)
    if target is None:
        target = Listing(account_id=listing.account_id, kind="search", url=url, canonical_url=url,
                         marketplace=site.marketplace, marketplace_ref=site.product_ref, detector_state={},
                         created_at=now)
        session.add(target)
    target.active, target.seller, target.next_check_at = True, listing.seller, now
    target.label = f"« {query} » — {listing.label or listing.canonical_url}"[:200]
    target.every_seconds = int(every.total_seconds())
    target.recipients = list(listing.recipients)
    session.flush()
    watch = session.get(SearchWatch, target.id) or SearchWatch(listing_id=target.id)
    watch.watched_id, watch.query, watch.id_query, watch.product_ref = listing.id, query, id_query, site.product_ref
    watch.pages, watch.marketplace = request.pages, site.marketplace
    watch.drop_threshold = request.threshold
    session.add(watch)
    session.flush()
    return watch


def _within_limits(session: Session, listing: Listing, id_query: bool) -> None:
    count = session.scalar(select(func.count()).select_from(SearchWatch)
                           .join(Listing, Listing.id == SearchWatch.listing_id)
                           .where(SearchWatch.watched_id == listing.id, SearchWatch.id_query.is_(id_query),
                                  Listing.active.is_(True)))
    if id_query and count:
        raise RegistrationError(N_("listing %(id)s already has its id query"), id=str(listing.id))
    if not id_query and count >= MAX_KEYWORD_WATCHES:
        raise RegistrationError(N_("listing %(id)s already has %(most)s keyword searches watched, the most there can "
                                   "be (plus its id query)"), id=str(listing.id), most=MAX_KEYWORD_WATCHES)


def remove_search_watch(session: Session, watch_id: int) -> SearchWatch:
    """Stop a search watch; its checks, stored pages and events are kept (evidence). RegistrationError when there
    is no watched search of that id."""
    watch = session.get(SearchWatch, watch_id)
    if watch is None or not watch.target.active:
        raise RegistrationError(N_("no watched search with id %(id)s"), id=str(watch_id))
    watch.target.active = False
    session.flush()
    return watch


def search_watch_json(watch: SearchWatch) -> dict[str, Any]:
    target = watch.target
    state = target.detector_state or {}
    return {"id": target.id, "listing_id": watch.watched_id, "query": watch.query, "id_query": watch.id_query,
            "product_ref": watch.product_ref, "marketplace": watch.marketplace, "pages": watch.pages,
            "drop_threshold": watch.drop_threshold, "url": target.canonical_url, "every_seconds": target.every_seconds, "active": target.active,
            "visibility": state.get("status"), "last_position": state.get("last_position"),
            "account": target.account.name,
            "next_check_at": target.next_check_at.isoformat(),
            "last_checked_at": target.last_checked_at.isoformat() if target.last_checked_at else None}
