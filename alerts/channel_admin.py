"""Adding, listing, testing and removing an account's channels: one implementation for the CLI
(`vigie channel ...`), the observatory's Account page and its JSON API.

A webhook's secret is made here and returned once, to the caller that shows it; nothing here logs it.
Functions take a session; callers own the transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, or_, select, update

from alerts.channel_digest import CLAIMED, HELD
from alerts.channel_guard import NetworkPolicy
from alerts.channel_messages import body_bytes, signed_headers, test_chat, test_payload
from alerts.channel_transport import ChannelTransport, SendFailed
from alerts.channels import ChannelError, new_secret, parse_channel
from said import N_
from store.models import Account
from store.models_channels import Channel, ChannelDelivery
from store.models_observatory import User

MODES = ("immediate", "digest")  # a channel's own alert mode; None follows the account's
OWED = ("pending", HELD, CLAIMED)


def add_channel(session, owner: Account, url: str, *, policy: NetworkPolicy, now: datetime,
                mode: str | None = None, user: User | None = None) -> tuple[Channel, str | None]:
    """The new channel (`user`'s own when given: a seller of `owner`) and, for a webhook, its signing secret
    (to show once); ChannelError says what is wrong."""
    if user is not None and (user.role != "seller" or user.account_id != owner.id):
        raise ChannelError(N_("only the sellers of account %(account)s have channels of their own in it"),
                           account=owner.name)
    if mode is not None and mode not in MODES:
        raise ChannelError(N_("the alert mode is %(modes)s (or the account's), not %(mode)s"),
                           modes=" or ".join(MODES), mode=repr(mode[:40]))
    parsed = parse_channel(url, policy=policy)
    same = session.scalar(select(Channel.id).where(
        Channel.account_id == owner.id, Channel.active.is_(True), Channel.kind == parsed.kind,
        Channel.target == parsed.target, Channel.user_id.is_(None) if user is None else Channel.user_id == user.id))
    if same is not None:
        raise ChannelError(N_("account %(account)s already has this channel: %(channel)s"), account=owner.name,
                           channel=str(same))
    row = Channel(account_id=owner.id, kind=parsed.kind, target=parsed.target, shown=parsed.shown,
                  secret=new_secret() if parsed.kind == "webhook" else None, active=True, created_at=now,
                  alert_mode=mode, user_id=user.id if user is not None else None)
    session.add(row)
    session.flush()
    return row, row.secret


def remove_channel(session, channel: Channel) -> int:
    """Stops sending to it: what it was sent stays recorded, what it was still owed is cancelled (returned)."""
    channel.active = False
    return session.execute(update(ChannelDelivery).where(
        ChannelDelivery.channel_id == channel.id, ChannelDelivery.status.in_(OWED))
        .values(status="cancelled").execution_options(synchronize_session=False)).rowcount or 0


def channel_summaries(session, *, account_id: int | None = None, after: int | None = None,
                      limit: int | None = None, seller_id: int | None = None) -> list[dict]:
    """The active channels by id after `after` (a keyset page of `limit`), secrets never included, with what
    their outbox holds: two queries per page, whatever its size. `seller_id`: the account's channels and that
    seller's own, not the other sellers'."""
    query = (select(Channel, Account.name, Account.alert_mode, User.email).join(Account, Account.id == Channel.account_id)
             .outerjoin(User, User.id == Channel.user_id).where(Channel.active.is_(True)).order_by(Channel.id))
    if account_id is not None:
        query = query.where(Channel.account_id == account_id)
    if seller_id is not None:
        query = query.where(or_(Channel.user_id.is_(None), Channel.user_id == seller_id))
    if after is not None:
        query = query.where(Channel.id > after)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    counts = _outbox_counts(session, [row.id for row, *_ in rows])
    return [_summary(row, name, account_mode, user, counts) for row, name, account_mode, user in rows]


def channel_summary(session, channel: Channel) -> dict:
    """One channel as the list shows it, removed or not."""
    user = channel.user.email if channel.user is not None else None
    return _summary(channel, channel.account.name, channel.account.alert_mode, user,
                    _outbox_counts(session, [channel.id]))


def _outbox_counts(session, ids: list[int]) -> dict[tuple[int, str], int]:
    if not ids:
        return {}
    return {(channel_id, status): n for channel_id, status, n in session.execute(
        select(ChannelDelivery.channel_id, ChannelDelivery.status, func.count())
        .where(ChannelDelivery.channel_id.in_(ids)).group_by(ChannelDelivery.channel_id, ChannelDelivery.status))}


def _summary(row: Channel, account: str, account_mode: str, user: str | None, counts) -> dict:
    return {"id": row.id, "account": account, "user": user, "kind": row.kind, "target": row.shown,
            "mode": row.alert_mode or account_mode, "own_mode": row.alert_mode, "active": row.active,
            "created_at": row.created_at.isoformat(),
            "failing_since": row.failing_since.isoformat() if row.failing_since else None,
            "deliveries": {status: counts.get((row.id, status), 0) for status in ("pending", "sent", "failed")}
            if row.kind != "email" else None}


@dataclass(frozen=True)
class ProbeSenders:
    channels: ChannelTransport
    policy: NetworkPolicy
    email: object  # alerts.transport.Transport, or None where no email can be sent
    mail_from: str


def send_test(channel: Channel, senders: ProbeSenders, *, lang: str, now: datetime) -> str:
    """A test message to the channel now; where it was accepted, or SendFailed (one line)."""
    account = channel.account.name
    if channel.kind == "webhook":
        body = body_bytes(test_payload(account, now=now))
        webhook_id = f"msg_vigie_test_c{channel.id}_{int(now.timestamp())}"
        senders.channels.post_webhook(channel.target, body, signed_headers(channel.secret, webhook_id, body, now=now),
                                      policy=senders.policy)
        return channel.shown
    chat = test_chat(account, lang=lang)
    if channel.kind != "email":
        senders.channels.notify(channel.target, chat, policy=senders.policy)
        return channel.shown
    from alerts.transport import TransportError

    if senders.email is None:
        raise SendFailed("no email transport")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = senders.mail_from, channel.target, chat.title
    message["Date"], message["Message-ID"] = format_datetime(now), make_msgid(domain="vigie.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(chat.body)
    try:
        with senders.email:
            return senders.email.send(message)
    except TransportError as exc:
        raise SendFailed(str(exc)) from None
