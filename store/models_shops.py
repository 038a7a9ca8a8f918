"""Tables of storefront watches (issue 26, part 2), declared on store.models.Base.

A shop is a target like a product listing or a fee page: its `listings` row (kind "shop") holds what
every target has (URL, account, recipients, schedule, detector state) and carries its events and its
hash-chained snapshots, one per storefront page fetched. `shops` adds what only a storefront has;
`shop_passes` keeps one row per walk: the set of offers seen and whether the walk was complete.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models import Base, Listing

DEFAULT_MAX_PAGES = 20


class Shop(Base):
    __tablename__ = "shops"
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    seller_ref: Mapped[str | None] = mapped_column(String(200), default=None)  # seller id / store name in the URL
    register_new: Mapped[bool] = mapped_column(Boolean, default=False)  # new offers become watched listings
    max_pages: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_PAGES)

    target: Mapped[Listing] = relationship()


class ShopPass(Base):
    """One walk of a storefront. Its pages are the target's snapshots first_seq..last_seq (chained); the
    offers are theirs, gathered: [{"id", "position", "title", "price", "currency", "url"}]."""

    __tablename__ = "shop_passes"
    __table_args__ = (UniqueConstraint("shop_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.listing_id", ondelete="CASCADE"))
    seq: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    complete: Mapped[bool] = mapped_column(Boolean)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    offers: Mapped[list[Any]] = mapped_column(default=list)
    first_seq: Mapped[int | None] = mapped_column(default=None)
    last_seq: Mapped[int | None] = mapped_column(default=None)
    chain_hash: Mapped[str | None] = mapped_column(String(64), default=None)  # the chain's head after this walk
