"""`vigie channel add|list|test|remove`: where an account's alerts go besides its listings' recipients."""
from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from alerts.channel_admin import MODES, ProbeSenders, add_channel, channel_summaries, remove_channel, send_test
from alerts.channel_digest import hold_channel_digests, send_channel_digests
from alerts.channel_guard import NetworkPolicy
from alerts.channel_health import NoticeSenders, deliver_notices, report_failing_channels
from alerts.channel_sender import ChannelReport, deliver_channels
from alerts.channel_transport import ChannelTransport, SendFailed
from alerts.channels import ChannelError
from netpolicy import parse_networks
from store.db import session_scope
from store.models import Account
from store.models_channels import Channel
from store.models_observatory import User
from vigie.cli.app import App, BadInput, Failure
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.cli.params import ID
from vigie.registration import DEFAULT_ACCOUNT, account_named, find_account



def network_policy(app: App) -> NetworkPolicy:
    s = app.settings
    return NetworkPolicy(allow_private=s.allow_private_hosts, allow_networks=parse_networks(s.allow_networks))


def channel_transport(app: App) -> ChannelTransport:
    return ChannelTransport(app.settings.channel_timeout)


def deliver_channel_alerts(app: App, *, margin: timedelta = timedelta(0)) -> ChannelReport:
    """The channels' outbox pass (webhooks and chats): digest holds, immediate rows, due digests.
    Email channels go with the emails."""
    now = app.now()
    hold_channel_digests(app.sessions, now=now)
    report = deliver_channels(app.sessions, now=now - margin, policy=network_policy(app),
                              public_url=app.settings.public_url, transport=channel_transport(app), clock=app.now)
    report.add(send_channel_digests(app.sessions, now=now, hour=app.settings.digest_hour, policy=network_policy(app),
                                    public_url=app.settings.public_url, transport=channel_transport(app),
                                    clock=app.now))
    return report


def deliver_channel_notices(app: App, email_transport) -> int:
    """Channels failing for VIGIE_CHANNEL_FAILING_AFTER: told once to their account and the operator."""
    s = app.settings
    now = app.now()
    report_failing_channels(app.sessions, now=now, after=s.channel_failing_after, operator_email=s.operator_email,
                            default_lang=s.lang)
    senders = NoticeSenders(email_transport, channel_transport(app), network_policy(app), s.mail_from, app.now)
    return deliver_notices(app.sessions, senders, now=now)


@cli.group()
def channel() -> None:
    """Where an account's alerts go: email, a chat (Apprise URL) or a signed webhook."""


@channel.command("add")
@click.argument("url")
@click.option("--account", help=f"The account whose alerts go there (default: {DEFAULT_ACCOUNT}).")
@click.option("--mode", type=click.Choice(MODES), help="This channel's alert mode (default: the account's, "
              "`vigie alert-mode`); digest: one message a day, delistings and fee changes at once.")
@click.option("--user", "user_email", metavar="EMAIL", help="A seller's own channel (of the seller's account), "
              "which the account's other sellers do not see on the observatory.")
@click.pass_obj
def add(app: App, url: str, account: str | None, mode: str | None, user_email: str | None) -> None:
    """Add a channel: mailto:ADDR, an Apprise URL (tgram://, slack://, json://...) or webhook+https://HOST/PATH."""
    with session_scope(app.sessions) as session:
        user = None
        if user_email is not None:
            user = session.scalar(select(User).where(User.email == user_email.strip().lower()))
            if user is None or user.role != "seller":
                raise BadInput(f"no seller user {user_email.strip()[:200]!r} (`vigie user add --role seller`)")
        owner = user.account if user is not None and account is None else owner_account(session, app, account)
        try:
            row, secret = add_channel(session, owner, url, policy=network_policy(app), now=app.now(), mode=mode,
                                      user=user)
        except ChannelError as exc:
            raise BadInput(str(exc)) from None
        channel_id, shown, name = row.id, row.shown, owner.name
    say(f"channel {channel_id} added for account {name}: {shown}")
    if secret:
        say("its signing secret, shown this once (the receiver checks webhook-signature with it):")
        click.echo(secret)


def owner_account(session, app: App, name: str | None) -> Account:
    if name is None:
        return account_named(session, DEFAULT_ACCOUNT, now=app.now(), lang=app.settings.lang)
    found = find_account(session, name)
    if found is None:
        raise BadInput(f"no account named {name.strip()[:200]!r}")
    return found


@channel.command("list")
@click.option("--account", help="Only this account's channels.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(app: App, account: str | None, as_json: bool) -> None:
    """The active channels (secrets never shown), with what their outbox holds."""
    with session_scope(app.sessions) as session:
        owner_id = None
        if account is not None:
            owner = find_account(session, account)
            if owner is None:
                raise BadInput(f"no account named {account.strip()[:200]!r}")
            owner_id = owner.id
        data = channel_summaries(session, account_id=owner_id)
    if as_json:
        print_json(data)
    elif not data:
        say("no channel; `vigie channel add URL` adds one")
    else:
        print_table("channels", ["id", "account", "user", "kind", "target", "mode", "pending", "sent", "failed"],
                    [[d["id"], d["account"], d["user"] or "", d["kind"], d["target"], d["mode"],
                      *((d["deliveries"] or {}).get(s, "") for s in ("pending", "sent", "failed"))]
                     for d in data], whole=("id",))


def active_channel(session, channel_id: int) -> Channel:
    row = session.get(Channel, channel_id)
    if row is None or not row.active:
        raise BadInput(f"no channel with id {channel_id}")
    return row


@channel.command("test")
@click.argument("channel_id", type=ID)
@click.pass_obj
def test(app: App, channel_id: int) -> None:
    """Send a test message to a channel now; exit 0 when it was accepted, 1 when not."""
    from alerts.transport import transport_from_url

    s = app.settings
    try:
        email = transport_from_url(s.smtp_url, outbox_dir=s.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    senders = ProbeSenders(channel_transport(app), network_policy(app), email, s.mail_from)
    with session_scope(app.sessions) as session:
        row = active_channel(session, channel_id)
        try:
            where = send_test(row, senders, lang=row.account.lang or s.lang, now=app.now())
        except SendFailed as exc:
            raise Failure(f"channel {channel_id}: the test failed: {exc}") from None
    say(f"channel {channel_id}: test message accepted by {where}")


@channel.command("remove")
@click.argument("channel_id", type=ID)
@click.pass_obj
def remove(app: App, channel_id: int) -> None:
    """Stop sending to a channel; what it was sent stays recorded, what it was still owed is cancelled."""
    with session_scope(app.sessions) as session:
        row = active_channel(session, channel_id)
        cancelled = remove_channel(session, row)
        shown = row.shown
    say(f"channel {channel_id} removed: {shown}" + (f" ({cancelled} pending alert(s) cancelled)" if cancelled else ""))
