"""RFC 3161 timestamps over the snapshot chains (issue 29).

A stamp covers a batch of chain heads at once: the heads that moved since the previous batch are the leaves
of a Merkle tree (store.merkle) whose root is sent to the timestamp authority. One token then vouches for every
listing of the batch, and a listing's bundle carries its leaf, the path to the root and the token. A batch is
written before the authority is asked, so an authority that is down leaves a `pending` batch that is retried
later: stamping waits, checks never do.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base

PENDING, STAMPED = "pending", "stamped"


class TimestampBatch(Base):
    __tablename__ = "timestamp_batches"
    __table_args__ = (Index("ix_timestamp_batches_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    root: Mapped[str] = mapped_column(String(64))  # hex Merkle root over the leaves; the TSA stamps its bytes
    leaf_count: Mapped[int]
    upto_snapshot_id: Mapped[int]  # the newest snapshot id seen when the batch was made: the next starts after it
    tsa_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    response: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # the DER TimeStampResp
    stamped_at: Mapped[datetime | None] = mapped_column(default=None)  # the token's genTime


class TimestampLeaf(Base):
    """One chain head in a batch: (listing, seq, chain_hash) at `position` among the batch's leaves."""

    __tablename__ = "timestamp_leaves"
    __table_args__ = (Index("ix_timestamp_leaves_listing_seq", "listing_id", "seq"),
                      Index("ix_timestamp_leaves_batch_position", "batch_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("timestamp_batches.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    seq: Mapped[int]
    chain_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
