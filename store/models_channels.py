"""An account's delivery channels and their outbox (issue 28); a seller's own channels among them.

A channel is where an account's alerts go besides the listing's own recipients: an email address,
an Apprise URL (a chat: Telegram, Slack, Discord, ntfy...) or a signed webhook. Email channels are
sent through the email outbox (`alert_deliveries`); the others have an outbox of their own,
`channel_deliveries`: one row per (event, channel), whose `webhook_id` is the same on every retry,
so a receiver can de-duplicate.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models import Account, Base, Event
from store.models_observatory import User


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # a seller's own channel (their chat, their address): seen and changed by them only, silent while they are
    # deactivated; None: the account's, shared by its users
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None)
    kind: Mapped[str] = mapped_column(String(12))  # email, apprise, webhook
    # the address, Apprise URL or webhook URL as given (an Apprise URL may hold a token: never shown whole)
    target: Mapped[str] = mapped_column(Text)
    shown: Mapped[str] = mapped_column(Text)  # what `channel list` shows: secrets masked
    secret: Mapped[str | None] = mapped_column(String(100), default=None)  # webhook signing key, whsec_...
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # "immediate" or "digest" for this channel alone; None follows the account's alert_mode
    alert_mode: Mapped[str | None] = mapped_column(String(12), default=None)
    # the first failed send since the last one that went through; cleared by a success
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    # when that failing episode was reported to the account and the operator (once per episode)
    failing_reported_at: Mapped[datetime | None] = mapped_column(default=None)

    account: Mapped[Account] = relationship()
    user: Mapped[User | None] = relationship()


def live_channels():
    """The condition of a channel that receives alerts: active, the account's or an active seller's own."""
    active_users = select(User.id).where(User.active.is_(True))
    return and_(Channel.active.is_(True), or_(Channel.user_id.is_(None), Channel.user_id.in_(active_users)))


class ChannelDelivery(Base):
    """The outbox of the non-email channels: one row per (event, channel)."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "channel_id"),
                      Index("ix_channel_deliveries_due", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    webhook_id: Mapped[str] = mapped_column(String(100), unique=True)  # stable per (event, channel)
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed, cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    event: Mapped[Event] = relationship()
    channel: Mapped[Channel] = relationship()


class ChannelNotice(Base):
    """"This channel has been failing for a day": one row per (failing episode, destination), sent once.

    The account hears it through its other channels (`to_channel_id`) and its recipients' email
    (`recipient`); the operator through VIGIE_OPERATOR_EMAIL (`audience` "operator"). `message_id`
    is the email's Message-ID or the webhook's `webhook-id`: the same on every retry.
    """

    __tablename__ = "channel_notices"
    __table_args__ = (Index("ix_channel_notices_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    failing_since: Mapped[datetime]
    audience: Mapped[str] = mapped_column(String(12))  # account, operator
    to_channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), default=None)
    recipient: Mapped[str | None] = mapped_column(String(320), default=None)  # an email address
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    channel: Mapped[Channel] = relationship(foreign_keys=[channel_id])
    to_channel: Mapped[Channel | None] = relationship(foreign_keys=[to_channel_id])
