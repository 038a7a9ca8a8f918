"""Tables of the service feature (declared on store.models.Base)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class OperatorAlert(Base):
    """One email to the operator per blocking episode of a marketplace (never to the sellers).

    (marketplace, blocked_since) is unique: however often the check runs during one episode, it
    finds the row it already wrote and sends nothing more.
    """

    __tablename__ = "operator_alerts"
    __table_args__ = (UniqueConstraint("marketplace", "blocked_since"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), default="monitoring_blocked")
    marketplace: Mapped[str] = mapped_column(String(40))
    blocked_since: Mapped[datetime]
    blocked_checks: Mapped[int] = mapped_column(default=0)
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
