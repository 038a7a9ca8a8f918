"""`vigie channel add|list|test|remove`: where an account's alerts go besides its listings' recipients."""
from __future__ import annotations

import os
from datetime import timedelta

import click
from sqlalchemy import func, select, update

from alerts.channel_guard import NetworkPolicy
from alerts.channel_messages import body_bytes, signed_headers, test_chat, test_payload
from alerts.channel_sender import ChannelReport, deliver_channels
from alerts.channel_transport import DEFAULT_TIMEOUT, ChannelTransport, SendFailed
from alerts.channels import ChannelError, new_secret, parse_channel
from crawler.netguard import parse_networks
from store.db import session_scope
from store.models import Account
from store.models_channels import Channel, ChannelDelivery
from vigie.cli.app import App, BadInput, Failure
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.cli.params import ID
from vigie.durations import parse_duration
from vigie.registration import DEFAULT_ACCOUNT, account_named, find_account

TIMEOUT_MAX = 300.0


def network_policy(app: App) -> NetworkPolicy:
    s = app.settings
    return NetworkPolicy(allow_private=s.allow_private_hosts, allow_networks=parse_networks(s.allow_networks))


def channel_transport() -> ChannelTransport:
    """VIGIE_CHANNEL_TIMEOUT (seconds, or a duration like 10s): per connection and between bytes read."""
    raw = os.environ.get("VIGIE_CHANNEL_TIMEOUT", "").strip()
    if not raw:
        return ChannelTransport(DEFAULT_TIMEOUT)
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = parse_duration(raw).total_seconds()
        except ValueError:
            raise BadInput(f"bad setting: VIGIE_CHANNEL_TIMEOUT={raw!r} is not a number of seconds") from None
    if not 0 < seconds <= TIMEOUT_MAX:
        raise BadInput(f"bad setting: VIGIE_CHANNEL_TIMEOUT must be between 0 and {TIMEOUT_MAX:g} seconds")
    return ChannelTransport(seconds)


def public_url() -> str | None:
    return os.environ.get("VIGIE_PUBLIC_URL", "").strip().rstrip("/") or None


def deliver_channel_alerts(app: App, *, margin: timedelta = timedelta(0)) -> ChannelReport:
    """The channels' outbox pass (webhooks and chats); email channels go with the emails."""
    return deliver_channels(app.sessions, now=app.now() - margin, policy=network_policy(app),
                            public_url=public_url(), transport=channel_transport(), clock=app.now)


@cli.group()
def channel() -> None:
    """Where an account's alerts go: email, a chat (Apprise URL) or a signed webhook."""


@channel.command("add")
@click.argument("url")
@click.option("--account", help=f"The account whose alerts go there (default: {DEFAULT_ACCOUNT}).")
@click.pass_obj
def add(app: App, url: str, account: str | None) -> None:
    """Add a channel: mailto:ADDR, an Apprise URL (tgram://, slack://, json://...) or webhook+https://HOST/PATH."""
    try:
        parsed = parse_channel(url, policy=network_policy(app))
    except ChannelError as exc:
        raise BadInput(str(exc)) from None
    with session_scope(app.sessions) as session:
        owner = owner_account(session, app, account)
        same = session.scalar(select(Channel).where(Channel.account_id == owner.id, Channel.active.is_(True),
                                                    Channel.kind == parsed.kind, Channel.target == parsed.target))
        if same is not None:
            raise BadInput(f"account {owner.name} already has this channel: {same.id}")
        row = Channel(account_id=owner.id, kind=parsed.kind, target=parsed.target, shown=parsed.shown,
                      secret=new_secret() if parsed.kind == "webhook" else None, active=True, created_at=app.now())
        session.add(row)
        session.flush()
        channel_id, secret, name = row.id, row.secret, owner.name
    say(f"channel {channel_id} added for account {name}: {parsed.shown}")
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
        query = select(Channel, Account.name).join(Account, Account.id == Channel.account_id).where(
            Channel.active.is_(True)).order_by(Channel.id)
        if account is not None:
            owner = find_account(session, account)
            if owner is None:
                raise BadInput(f"no account named {account.strip()[:200]!r}")
            query = query.where(Channel.account_id == owner.id)
        rows = session.execute(query).all()
        counts = dict(((channel_id, status), count) for channel_id, status, count in session.execute(
            select(ChannelDelivery.channel_id, ChannelDelivery.status, func.count())
            .group_by(ChannelDelivery.channel_id, ChannelDelivery.status)))
        data = [{"id": row.id, "account": name, "kind": row.kind, "target": row.shown,
                 "created_at": row.created_at.isoformat(),
                 "deliveries": {status: counts.get((row.id, status), 0) for status in ("pending", "sent", "failed")}
                 if row.kind != "email" else None}
                for row, name in rows]
    if as_json:
        print_json(data)
    elif not data:
        say("no channel; `vigie channel add URL` adds one")
    else:
        print_table("channels", ["id", "account", "kind", "target", "pending", "sent", "failed"],
                    [[d["id"], d["account"], d["kind"], d["target"], *((d["deliveries"] or {}).get(s, "")
                                                                        for s in ("pending", "sent", "failed"))]
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
    with session_scope(app.sessions) as session:
        row = active_channel(session, channel_id)
        kind, target, shown, secret = row.kind, row.target, row.shown, row.secret
        name, lang = row.account.name, row.account.lang or app.settings.lang
    now = app.now()
    try:
        if kind == "email":
            where = send_test_email(app, target, name, lang)
        elif kind == "webhook":
            body = body_bytes(test_payload(name, now=now))
            webhook_id = f"msg_vigie_test_c{channel_id}_{int(now.timestamp())}"
            channel_transport().post_webhook(target, body, signed_headers(secret, webhook_id, body, now=now),
                                             policy=network_policy(app))
            where = shown
        else:
            channel_transport().notify(target, test_chat(name, lang=lang), policy=network_policy(app))
            where = shown
    except SendFailed as exc:
        raise Failure(f"channel {channel_id}: the test failed: {exc}") from None
    say(f"channel {channel_id}: test message accepted by {where}")


def send_test_email(app: App, address: str, account: str, lang: str) -> str:
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from alerts.transport import TransportError, transport_from_url

    try:
        transport = transport_from_url(app.settings.smtp_url, outbox_dir=app.settings.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    chat = test_chat(account, lang=lang)
    title, body = chat.title, chat.body
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = app.settings.mail_from, address, title
    message["Date"], message["Message-ID"] = format_datetime(app.now()), make_msgid(domain="vigie.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    try:
        with transport:
            return transport.send(message)
    except TransportError as exc:
        raise SendFailed(str(exc)) from None


@channel.command("remove")
@click.argument("channel_id", type=ID)
@click.pass_obj
def remove(app: App, channel_id: int) -> None:
    """Stop sending to a channel; what it was sent stays recorded, what it was still owed is cancelled."""
    with session_scope(app.sessions) as session:
        row = active_channel(session, channel_id)
        row.active = False
        cancelled = session.execute(update(ChannelDelivery).where(
            ChannelDelivery.channel_id == channel_id, ChannelDelivery.status == "pending")
            .values(status="cancelled").execution_options(synchronize_session=False)).rowcount or 0
        shown = row.shown
    say(f"channel {channel_id} removed: {shown}" + (f" ({cancelled} pending alert(s) cancelled)" if cancelled else ""))
