"""The observatory's side of alert channels, shared by the Account page and the API: whose channels a viewer
may see and change, and the network policy and senders the app was given (ObservatoryConfig; the same
settings as the CLI's). The work itself is alerts.channel_admin's, as for `vigie channel`."""
from __future__ import annotations

from sqlalchemy.orm import Session

from alerts.channel_admin import (ProbeSenders, add_channel, channel_summaries, channel_summary,  # noqa: F401
                                  remove_channel, send_test)
from alerts.channel_guard import NetworkPolicy
from alerts.channel_transport import ChannelTransport, SendFailed
from alerts.channels import ChannelError
from netpolicy import parse_networks
from observatory.accounts import Viewer
from observatory.config import ObservatoryConfig
from observatory.registering import NotAllowed, owner_account
from said import N_
from store.models import Account
from store.models_channels import Channel
from store.models_observatory import User

__all__ = ["ChannelError", "NotAllowed", "SendFailed", "add", "channel_summary", "remove", "summaries", "test",
           "visible_channel"]


def policy(config: ObservatoryConfig) -> NetworkPolicy:
    return NetworkPolicy(allow_private=config.allow_private_hosts, allow_networks=parse_networks(config.allow_networks))


def senders(config: ObservatoryConfig) -> ProbeSenders:
    email = None
    if config.outbox_dir is not None:
        from alerts.transport import transport_from_url

        email = transport_from_url(config.smtp_url, outbox_dir=config.outbox_dir)
    return ProbeSenders(ChannelTransport(config.channel_timeout), policy(config), email, config.mail_from)


def summaries(session: Session, viewer: Viewer, *, account: str | None = None, after: int | None = None,
              limit: int | None = None) -> list[dict]:
    """A seller's account's channels and their own (not other sellers'); investigators and admins see every
    account's, or the one named."""
    if not viewer.reads_everything:
        if viewer.account_id is None:
            return []
        return channel_summaries(session, account_id=viewer.account_id, seller_id=viewer.user_id, after=after,
                                 limit=limit)
    if account:
        from vigie.registration import find_account

        found = find_account(session, account)
        return channel_summaries(session, account_id=found.id, after=after, limit=limit) if found else []
    return channel_summaries(session, after=after, limit=limit)


def visible_channel(session: Session, viewer: Viewer, channel_id: int, *,
                    removed: bool = False) -> Channel | None:
    """The channel (active, or also removed with `removed`) if this viewer may see it; another account's, or
    another seller's own, is as absent as a missing one."""
    row = session.get(Channel, channel_id)
    if row is None or not (row.active or removed):
        return None
    if not viewer.reads_everything and (row.account_id != viewer.account_id
                                        or row.user_id not in (None, viewer.user_id)):
        return None
    return row


def add(session: Session, viewer: Viewer, url: str, *, mode: str | None, account: str | None,
        config: ObservatoryConfig, personal: bool = False) -> tuple[Channel, str | None]:
    """NotAllowed for investigators; ChannelError (one line) for a URL or mode refused. `personal`: the
    seller's own channel (their chat, their address), which the account's other sellers do not see."""
    owner: Account = owner_account(session, viewer, account, config=config)
    if personal and viewer.role != "seller":
        raise ChannelError(N_("only sellers have channels of their own; this one would be the account's"))
    user = session.get(User, viewer.user_id) if personal else None
    return add_channel(session, owner, url, policy=policy(config), now=config.clock(), mode=mode or None, user=user)


def remove(session: Session, viewer: Viewer, channel: Channel) -> int:
    """What the channel was still owed and is now cancelled; removing a removed channel changes nothing."""
    if not viewer.manages_listings:
        raise NotAllowed("investigators read channels; sellers and admins change them")
    return remove_channel(session, channel) if channel.active else 0


def test(viewer: Viewer, channel: Channel, *, config: ObservatoryConfig) -> str:
    """Where the test message was accepted; SendFailed (one line) when it was not."""
    if not viewer.manages_listings:
        raise NotAllowed("investigators read channels; sellers and admins test them")
    if channel.kind == "email" and config.outbox_dir is None:
        raise SendFailed("email channels are tested with `vigie channel test` where this app has no mail settings")
    return send_test(channel, senders(config), lang=channel.account.lang or config.lang, now=config.clock())
