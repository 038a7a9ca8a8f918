"""A channel failing for a day is reported once, to its account's other channels and to the operator; digest
mode per channel. Real receivers on loopback (signature-checking webhook, Apprise json://) and real SMTP."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from alerts.catcher import SmtpCatcher
from alerts.channel_digest import hold_channel_digests, send_channel_digests
from alerts.channel_health import NoticeSenders, deliver_notices, report_failing_channels
from alerts.channel_sender import deliver_channels
from alerts.channels import new_secret
from alerts.transport import transport_from_url
from store.db import session_scope
from store.models import Account
from store.models_channels import Channel, ChannelDelivery, ChannelNotice
from tests.alerts.receivers import Receiver
from tests.alerts.rows import T0, make_world
from tests.alerts.test_channels import FAST, LOCAL, add_channel, enqueue_event, real_now

DAY = timedelta(days=1)


def send_all(sessions, now):
    return deliver_channels(sessions, now=now, policy=LOCAL, public_url=None, transport=FAST, clock=real_now)


def test_a_channel_failing_for_a_day_is_told_once_to_the_account_and_the_operator(sessions, tmp_path):
    world = make_world(sessions, account_emails=("owner@example.com",), account_lang="en")
    secret = new_secret()
    with Receiver() as dead:
        dead_port = dead.port
    with Receiver(secret=secret) as hook, Receiver() as chat, SmtpCatcher() as smtp:
        failing = add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{dead_port}/down")
        add_channel(sessions, world.account_id, "webhook", f"{hook.url}/in", secret=secret)
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat.port}/team")
        add_channel(sessions, world.account_id, "email", "team@example.com")
        enqueue_event(sessions, world.listing_id)
        assert send_all(sessions, T0).retried == 1
        with session_scope(sessions) as session:
            assert session.get(Channel, failing).failing_since == T0
        senders = NoticeSenders(transport_from_url(smtp.url, outbox_dir=tmp_path), FAST, LOCAL, "vigie@localhost",
                               real_now)

        def report(at):
            count = report_failing_channels(sessions, now=at, after=DAY, operator_email="ops@example.org",
                                            default_lang="fr")
            deliver_notices(sessions, senders, now=at)
            return count

        assert report(T0 + DAY / 2) == 0  # half a day: not yet
        with session_scope(sessions) as session:  # retries through the day keep the episode's start
            session.execute(update(ChannelDelivery).values(next_attempt_at=T0))
        send_all(sessions, T0 + DAY / 2)
        assert report(T0 + DAY + timedelta(minutes=1)) == 1
        assert report(T0 + 2 * DAY) == 0  # once per episode, however often it runs
        assert smtp.wait_for(3, timeout=10)

        notices = [item for item in hook.received if item.json()["type"] == "vigie.channel.failing"]
        assert len(notices) == 1 and notices[0].verified
        data = notices[0].json()["data"]
        assert data["channel"]["id"] == failing and data["failing_since"] == "2025-03-14T09:30:00Z"
        assert "did not accept the message" in data["last_error"]
        told = [item.json() for item in chat.received if "failing" in item.json()["title"]]
        assert len(told) == 1 and told[0]["title"].startswith("[Vigie] An alert channel has been failing for 24.0 h")
        by_recipient = {message["To"]: message for message in smtp.messages}
        assert sorted(by_recipient) == ["ops@example.org", "owner@example.com", "team@example.com"]
        assert "Le compte a été prévenu" in by_recipient["ops@example.org"].get_content()
        assert "Check the channel's address" in by_recipient["owner@example.com"].get_content()
        with session_scope(sessions) as session:
            destinations = session.scalars(select(ChannelNotice.to_channel_id)).all()
            assert failing not in destinations  # the failing channel is not told about itself

        with Receiver(port=dead_port) as back:  # recovery ends the episode; the next one is told again
            with session_scope(sessions) as session:
                session.execute(update(ChannelDelivery).values(next_attempt_at=T0))
            assert send_all(sessions, T0 + 2 * DAY).sent == 1 and len(back.received) == 1
        with session_scope(sessions) as session:
            row = session.get(Channel, failing)
            assert (row.failing_since, row.failing_reported_at) == (None, None)
            session.execute(update(Channel).where(Channel.id == failing)
                            .values(failing_since=T0 + 3 * DAY))
        assert report(T0 + 4 * DAY + timedelta(minutes=1)) == 1
        assert smtp.wait_for(6, timeout=10)


def test_a_digest_channel_gets_one_message_a_day_and_delistings_at_once(sessions):
    world = make_world(sessions, account_lang="en")
    secret = new_secret()
    with Receiver(secret=secret) as hook, Receiver() as chat, Receiver() as instant:
        webhook = add_channel(sessions, world.account_id, "webhook", f"{hook.url}/in", secret=secret)
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat.port}/digest")
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{instant.port}/now")
        with session_scope(sessions) as session:  # the account in digest mode, one chat overriding it
            session.get(Account, world.account_id).alert_mode = "digest"
            session.execute(update(Channel).where(Channel.target.like("%/now")).values(alert_mode="immediate"))
        price = dict(kind="price_change", before="20.00", after="30.00", details={"currency": "EUR"})
        enqueue_event(sessions, world.listing_id, **price)
        enqueue_event(sessions, world.listing_id, **price | {"before": "30.00", "after": "40.00"})
        enqueue_event(sessions, world.listing_id)  # a delisting: never held

        assert hold_channel_digests(sessions, now=T0) == 4
        assert send_all(sessions, T0).sent == 5  # the delisting to all three, the prices to the immediate one
        assert len(hook.received) == 1 and len(chat.received) == 1 and len(instant.received) == 3

        def digests(at):
            return send_channel_digests(sessions, now=at, hour=7, policy=LOCAL, public_url="https://v.example",
                                        transport=FAST, clock=real_now)

        assert digests(T0 + timedelta(hours=3)).sent == 0  # before the next 07:00 UTC
        morning = datetime(2025, 3, 15, 7, 5, tzinfo=UTC)
        assert digests(morning).sent == 2
        assert digests(morning + timedelta(hours=1)).sent == 0  # one a day

    digest = hook.received[1]
    assert digest.verified and digest.headers["webhook-id"] == f"msg_vigie_digest_c{webhook}_20250315"
    body = digest.json()
    assert body["type"] == "vigie.digest"
    assert [e["event"]["after"] for e in body["data"]["events"]] == ["30.00", "40.00"]
    message = chat.received[1].json()
    assert message["title"] == "[Vigie] Your Vigie digest: 2 change(s)"
    assert message["message"].count("https://v.example/listings/") == 2
    with session_scope(sessions) as session:
        assert set(session.scalars(select(ChannelDelivery.status))) == {"sent"}


def test_a_digest_that_fails_is_retried_with_the_same_webhook_id_and_counts_toward_failing(sessions):
    world = make_world(sessions)
    secret = new_secret()
    with Receiver() as gone:
        port = gone.port
    webhook = add_channel(sessions, world.account_id, "webhook", f"http://127.0.0.1:{port}/in", secret=secret)
    with session_scope(sessions) as session:
        session.get(Channel, webhook).alert_mode = "digest"
    enqueue_event(sessions, world.listing_id, kind="unavailable", before="listed", after="unavailable")
    hold_channel_digests(sessions, now=T0)
    morning = datetime(2025, 3, 15, 7, 5, tzinfo=UTC)
    kwargs = dict(hour=7, policy=LOCAL, public_url=None, transport=FAST, clock=real_now)
    assert send_channel_digests(sessions, now=morning, **kwargs).retried == 1
    with session_scope(sessions) as session:
        assert session.get(Channel, webhook).failing_since == morning
        row = session.scalar(select(ChannelDelivery))
        assert (row.status, row.attempts, row.next_attempt_at) == ("digesting", 1, morning + timedelta(seconds=60))
    assert send_channel_digests(sessions, now=morning + timedelta(seconds=30), **kwargs).retried == 0
    with Receiver(secret=secret, port=port) as hook:
        assert send_channel_digests(sessions, now=morning + timedelta(seconds=61), **kwargs).sent == 1
    assert hook.received[0].verified
    assert hook.received[0].headers["webhook-id"] == f"msg_vigie_digest_c{webhook}_20250315"
    with session_scope(sessions) as session:
        assert session.get(Channel, webhook).failing_since is None
