"""The store's tables, SQLAlchemy 2.0 typed models. The schema changes only through Alembic."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, ColumnElement, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table,
                        Text, UniqueConstraint, func, literal_column)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import Money, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: JSON(), list[Any]: JSON()}


listing_recipients = Table(
    "listing_recipients",
    Base.metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("recipient_id", ForeignKey("recipients.id", ondelete="CASCADE"), primary_key=True),
)


class Account(Base):
    """An SME (or the operator's default account). Every listing belongs to one."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    # "immediate" or "digest" (one email a day; delistings and fee changes always immediate) — issue 5
    alert_mode: Mapped[str] = mapped_column(String(12), default="immediate", server_default="immediate")
    price_threshold: Mapped[Decimal | None] = mapped_column(default=None)
    price_absolute_threshold: Mapped[Decimal | None] = mapped_column(default=None)  # issue 6
    price_baseline: Mapped[str | None] = mapped_column(String(20), default=None)  # detector BaselineKind
    revert_is_glitch: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # the marketplace site its listing reports are for when a report does not say it ({"amazon": "amazon.fr"})
    report_sites: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime]

    recipients: Mapped[list[Recipient]] = relationship(back_populates="account", cascade="all, delete-orphan")
    listings: Mapped[list[Listing]] = relationship(back_populates="account")


class Recipient(Base):
    __tablename__ = "recipients"
    __table_args__ = (UniqueConstraint("account_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    lang: Mapped[str | None] = mapped_column(String(8), default=None)

    account: Mapped[Account] = relationship(back_populates="recipients")


class Listing(Base):
    """One watched URL: a product listing (or, later, a marketplace fee page)."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("account_id", "canonical_url"),
        Index("ix_listings_due", "active", "next_check_at"),
        Index("ix_listings_report_scope", "account_id", "report_scope"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="listing")
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000))
    marketplace: Mapped[str] = mapped_column(String(40))
    marketplace_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    seller: Mapped[str | None] = mapped_column(String(200), default=None)
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    # the seller's own references, from a marketplace listing report (issue 26): SKU, the marketplace's id of the
    # offer (Amazon listing-id, eBay item number, Mirakl offer-id), EAN; and which report kind and site it came
    # from ("amazon:amazon.fr"), so that a newer report of that kind and site can say what is no longer in it
    seller_sku: Mapped[str | None] = mapped_column(String(200), default=None)
    offer_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    ean: Mapped[str | None] = mapped_column(String(14), default=None)
    report_scope: Mapped[str | None] = mapped_column(String(60), default=None)
    every_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    browser: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    price_threshold: Mapped[Decimal | None] = mapped_column(default=None)
    price_absolute_threshold: Mapped[Decimal | None] = mapped_column(default=None)  # issue 6
    price_baseline: Mapped[str | None] = mapped_column(String(20), default=None)
    revert_is_glitch: Mapped[bool | None] = mapped_column(Boolean, default=None)
    state: Mapped[str | None] = mapped_column(String(20), default=None)  # last confirmed outcome
    detector_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    next_check_at: Mapped[datetime]
    last_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    # cluster mode: the claim a queued check of this listing was dispatched under; cleared when recorded
    claim_token: Mapped[str | None] = mapped_column(String(40), default=None)

    account: Mapped[Account] = relationship(back_populates="listings")
    recipients: Mapped[list[Recipient]] = relationship(secondary=listing_recipients)


SEARCHED = ("canonical_url", "label", "seller", "marketplace_ref", "seller_sku", "offer_ref", "ean")


def search_text(columns: Any) -> ColumnElement[str]:
    """What the observatory's listing search looks in: the SEARCHED columns joined by " | " (`columns`: the
    Listing class or its table's `.c`).

    On PostgreSQL, migration 0008 builds a pg_trgm GIN index on exactly this expression (0010 rebuilds it with the
    seller's references from listing reports)
    (`ix_listings_search_trgm`), so `search_text(Listing).ilike('%text%')` is one index scan, not a read of every
    listing; its constants are SQL literals, not bound parameters, for the planner to recognise the index's
    expression. The index is not declared on the model: Alembic cannot compare indexes on expressions (SQLite
    cannot reflect them, PostgreSQL gives the expression back rewritten with casts), so store.migrate.NOT_COMPARED
    names it instead."""
    parts = [func.coalesce(getattr(columns, name), literal_column("''")) for name in SEARCHED]
    text = parts[0]
    for part in parts[1:]:
        text = text + literal_column("' | '") + part
    return text


class Blob(Base):
    """Evidence bytes (raw bodies, screenshots), content-addressed and compressed, stored once."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))
    compression: Mapped[str] = mapped_column(String(10), default="zlib")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Snapshot(Base):
    """One check of one listing, hash-chained to the listing's previous snapshot."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("listing_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    fetched_at: Mapped[datetime] = mapped_column(index=True)  # `vigie status`: the last hour's checks
    requested_url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text, default=None)
    http_status: Mapped[int | None] = mapped_column(default=None)
    fetch_method: Mapped[str] = mapped_column(String(10), default="http")
    elapsed_ms: Mapped[int | None] = mapped_column(default=None)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str] = mapped_column(String(20))
    price: Mapped[Decimal | None] = mapped_column(default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    shipping_fee: Mapped[Decimal | None] = mapped_column(default=None)
    seller: Mapped[str | None] = mapped_column(String(300), default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    availability: Mapped[str | None] = mapped_column(String(40), default=None)
    offers: Mapped[list[Any]] = mapped_column(default=list)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    # indexed for retention: which snapshots still need a blob (issue 24)
    body_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), default=None, index=True)
    screenshot_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), default=None, index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    chain_hash: Mapped[str] = mapped_column(String(64))
    # how the fetch was made: address, TLS leaf, egress, user agent, version, clock, full headers, redirects
    # (issue 29); None for snapshots recorded before, whose chained JSON never had the key (store.chain)
    capture: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), default=None, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    detected_at: Mapped[datetime] = mapped_column(index=True)
    before: Mapped[str | None] = mapped_column(Text, default=None)
    after: Mapped[str | None] = mapped_column(Text, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    listing: Mapped[Listing] = relationship()


class AlertDelivery(Base):
    """The outbox: one row per (event, recipient). Its message_id makes a resend recognisable."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "recipient"), Index("ix_alert_deliveries_due", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    transport: Mapped[str | None] = mapped_column(String(20), default=None)  # smtp, eml
    location: Mapped[str | None] = mapped_column(Text, default=None)  # .eml path, or SMTP host
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    event: Mapped[Event] = relationship()
