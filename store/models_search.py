"""Tables of search watches (issue 27), declared on store.models.Base.

A search watch is a target like a storefront: its `listings` row (kind "search") holds what every target has
(the search URL, account, recipients, schedule, detector state) and carries its events and its hash-chained
snapshots, one per results page fetched. `search_watches` says which listing's offer is looked for with which
query; `search_checks` keeps one row per walk: complete or not, and where the offer stood (the rank history).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models import Base, Listing

DEFAULT_PAGES = 2        # K: the first K results pages are read
MAX_PAGES = 5
MAX_KEYWORD_WATCHES = 10  # per watched listing, besides the query by the product's own id
MAX_DROP_THRESHOLD = 200  # organic positions; more than K pages hold, whatever the marketplace


class SearchWatch(Base):
    __tablename__ = "search_watches"
    __table_args__ = (Index("ix_search_watches_watched_id", "watched_id"),)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    watched_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))  # the product looked for
    query: Mapped[str] = mapped_column(String(200))
    id_query: Mapped[bool] = mapped_column(Boolean, default=False)  # the query is the product's own id
    product_ref: Mapped[str] = mapped_column(String(100))  # the id the results must show (ASIN, item number...)
    pages: Mapped[int] = mapped_column(Integer, default=DEFAULT_PAGES)
    marketplace: Mapped[str] = mapped_column(String(40))
    # organic positions worse than the baseline median that make a drop; None: the detector's default (0015)
    drop_threshold: Mapped[int | None] = mapped_column(Integer, default=None)

    target: Mapped[Listing] = relationship(foreign_keys=[listing_id])
    watched: Mapped[Listing] = relationship(foreign_keys=[watched_id])


class SearchCheck(Base):
    """One walk of a search watch. Its pages are the target's snapshots first_seq..last_seq (chained)."""

    __tablename__ = "search_checks"
    # checked_at: the day's search budget sums today's walks (crawler.stored_search_budget, migration 0016)
    __table_args__ = (UniqueConstraint("watch_id", "seq"), Index("ix_search_checks_checked_at", "checked_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("search_watches.listing_id", ondelete="CASCADE"))
    seq: Mapped[int]
    checked_at: Mapped[datetime]
    complete: Mapped[bool] = mapped_column(Boolean)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int | None] = mapped_column(default=None)  # organic rank over the walk; None: not found
    sponsored: Mapped[bool] = mapped_column(Boolean, default=False)  # seen as a paid placement
    total_results: Mapped[int | None] = mapped_column(default=None)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    first_seq: Mapped[int | None] = mapped_column(default=None)
    last_seq: Mapped[int | None] = mapped_column(default=None)
    chain_hash: Mapped[str | None] = mapped_column(String(64), default=None)
