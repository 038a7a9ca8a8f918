"""Channels (issue 28): URLs accepted and refused, the signature, delivery through an outage, with real
receivers on loopback (a signature-checking webhook endpoint, Apprise's json:// to a local server)."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.channel_guard import NetworkPolicy
from alerts.channel_messages import signed_headers
from alerts.channel_sender import deliver_channels
from alerts.channel_transport import ChannelTransport
from alerts.channels import ChannelError, new_secret, parse_channel
from alerts.outbox import enqueue
from alerts.sender import deliver_pending
from alerts.transport import EmlTransport
from store.db import session_scope
from store.models import AlertDelivery, Event, Snapshot
from store.models_channels import Channel, ChannelDelivery
from tests.alerts.receivers import Receiver
from tests.alerts.rows import T0, add_event, make_world

LOCAL = NetworkPolicy(allow_private=True)
PUBLIC_ONLY = NetworkPolicy(allow_private=False)
FAST = ChannelTransport(timeout=2.0)


def real_now() -> datetime:
    return datetime.now(UTC)


def test_the_signature_is_the_standard_webhooks_example_vector():
    # https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
    headers = signed_headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                             b'{"test": 2432232314}', now=datetime.fromtimestamp(1614265330, UTC))
    assert headers["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek"
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_is_24_random_bytes_in_the_whsec_form():
    import base64

    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 24


@pytest.mark.parametrize("url, kind, shown", [
    ("mailto:Owner@Example.com", "email", "mailto:Owner@example.com"),
    ("webhook+https://93.184.216.34/hooks/vigie", "webhook", "webhook+https://93.184.216.34/hooks/vigie"),
    ("tgram://123456789:abcdefg_hijklmnop/12315544/", "apprise", "tgram://1...p/12315544/"),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "apprise", "discord://4...8/J...s/"),
])
def test_channel_urls_of_each_kind_are_accepted_and_shown_without_their_secrets(url, kind, shown):
    parsed = parse_channel(url, policy=PUBLIC_ONLY)
    assert (parsed.kind, parsed.shown) == (kind, shown)


@pytest.mark.parametrize("url, says", [
    ("", "empty"),
    ("example.com/hook", "no scheme"),
    ("mailto:not-an-address", "invalid email"),
    ("foo://bar", "neither mailto"),
    ("mailtos://user:pass@gmail.com", "not supported"),
    ("webhook+ftp://example.com/x", "webhook+https://"),
    ("webhook+https://user:pw@93.184.216.34/x", "user name or password"),
    ("webhook+https://127.0.0.1/x", "loopback"),
    ("webhook+https://169.254.169.254/latest", "link-local"),
    ("webhook+https://[::ffff:10.0.0.1]/x", "private"),
    ("json://127.0.0.1:8080/x", "loopback"),
    ("ntfys://10.1.2.3/topic", "private"),
    ("webhook+http://93.184.216.34/hook", "only for hosts off the internet"),
    ("webhook+https://example.com/a b", "spaces"),
])
def test_bad_or_unsafe_channel_urls_are_refused_in_one_line(url, says):
    with pytest.raises(ChannelError) as refused:
        parse_channel(url, policy=PUBLIC_ONLY)
    assert says in str(refused.value) and "\n" not in str(refused.value)


def test_loopback_is_allowed_where_the_operator_allows_private_hosts():
    assert parse_channel("webhook+http://127.0.0.1:9/x", policy=LOCAL).kind == "webhook"
    assert parse_channel("json://127.0.0.1:9/x", policy=LOCAL).kind == "apprise"


def add_channel(sessions, account_id: int, kind: str, target: str, *, secret: str | None = None) -> int:
    with session_scope(sessions) as session:
        row = Channel(account_id=account_id, kind=kind, target=target, shown=target, secret=secret, active=True,
                      created_at=T0)
        session.add(row)
        session.flush()
        return row.id


def enqueue_event(sessions, listing_id: int, **fields) -> int:
    event_id = add_event(sessions, listing_id, **fields)
    with session_scope(sessions) as session:
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="fr")
    return event_id


def statuses(sessions) -> dict[int, str]:
    with session_scope(sessions) as session:
        return dict(session.execute(select(ChannelDelivery.channel_id, ChannelDelivery.status)).all())


def test_a_delisting_reaches_email_webhook_and_chat_once_each_through_an_outage_of_the_chat(sessions, tmp_path):
    world = make_world(sessions, account_emails=("owner@example.com",), account_lang="en")
    secret = new_secret()
    with Receiver(secret=secret) as hook, Receiver() as chat:
        chat_port = chat.port
        chat.stop()  # the chat service is down
        webhook = add_channel(sessions, world.account_id, "webhook", f"{hook.url}/in", secret=secret)
        apprise = add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat_port}/notify")
        add_channel(sessions, world.account_id, "email", "team@example.com")
        enqueue_event(sessions, world.listing_id)

        first = deliver_channels(sessions, now=T0, policy=LOCAL, public_url="https://vigie.example",
                                 transport=FAST, clock=real_now)
        assert (first.sent, first.retried, first.failed) == (1, 1, 0)
        assert statuses(sessions) == {webhook: "sent", apprise: "pending"}
        with session_scope(sessions) as session:
            down = session.scalar(select(ChannelDelivery).where(ChannelDelivery.channel_id == apprise))
            assert down.attempts == 1 and down.next_attempt_at == T0 + timedelta(seconds=60)
            assert "127.0.0.1" in down.last_error

        assert deliver_channels(sessions, now=T0 + timedelta(seconds=30), policy=LOCAL, public_url=None,
                                transport=FAST, clock=real_now).sent == 0  # backing off
        chat.port = chat_port
        chat.start()  # back, on the same address
        second = deliver_channels(sessions, now=T0 + timedelta(seconds=61), policy=LOCAL, public_url=None,
                                  transport=FAST, clock=real_now)
        assert (second.sent, second.retried) == (1, 0)
        assert deliver_channels(sessions, now=T0 + timedelta(hours=1), policy=LOCAL, public_url=None,
                                transport=FAST, clock=real_now).sent == 0

    assert len(hook.received) == 1 and hook.received[0].verified
    delivered = hook.received[0]
    assert delivered.path == "/in" and delivered.headers["content-type"] == "application/json"
    body = delivered.json()
    assert body["type"] == "vigie.event.delisted"
    assert body["data"]["event"]["kind"] == "delisted" and body["data"]["event"]["before"] == "listed"
    assert body["data"]["event"]["detected_at"] == "2025-03-14T09:30:00Z"
    assert body["data"]["listing"]["id"] == world.listing_id and body["data"]["listing"]["marketplace"] == "generic"
    assert body["data"]["observatory_url"] == f"https://vigie.example/listings/{world.listing_id}"
    assert len(chat.received) == 1
    message = chat.received[0].json()
    assert message["title"] == "[Vigie] Your listing was removed: Chaise en chêne"
    assert "on sale → removed" in message["message"] and "https://www.example.fr/produit/42" in message["message"]

    emails = deliver_pending(sessions, EmlTransport(tmp_path / "outbox"), now=T0, mail_from="vigie@localhost")
    with session_scope(sessions) as session:
        assert sorted(session.scalars(select(AlertDelivery.recipient))) == ["owner@example.com", "team@example.com"]
    assert emails.sent == 2


def test_a_hanging_channel_does_not_delay_the_others(sessions):
    world = make_world(sessions)
    secret = new_secret()
    with Receiver(hang=3.0) as slow, Receiver(secret=secret) as quick:
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{slow.port}/slow")
        add_channel(sessions, world.account_id, "webhook", f"{quick.url}/quick", secret=secret)
        enqueue_event(sessions, world.listing_id)
        started = time.monotonic()
        report = deliver_channels(sessions, now=T0, policy=LOCAL, public_url=None,
                                  transport=ChannelTransport(timeout=1.5), clock=real_now)
        assert time.monotonic() - started >= 1.4  # the pass waited for the slow one...
    assert len(quick.received) == 1 and quick.received[0].at - started < 1.0  # ...but the quick one did not
    assert (report.sent, report.retried) == (1, 1)


def test_a_down_channel_costs_one_attempt_per_pass_and_its_other_alerts_wait_with_it(sessions):
    world = make_world(sessions)
    with Receiver() as gone:
        port = gone.port
    channel = add_channel(sessions, world.account_id, "webhook", f"http://127.0.0.1:{port}/x", secret=new_secret())
    for _ in range(3):
        enqueue_event(sessions, world.listing_id)
    report = deliver_channels(sessions, now=T0, policy=LOCAL, public_url=None, transport=FAST, clock=real_now)
    assert (report.sent, report.retried) == (0, 1)
    with session_scope(sessions) as session:
        rows = session.scalars(select(ChannelDelivery).where(ChannelDelivery.channel_id == channel)
                               .order_by(ChannelDelivery.id)).all()
        assert [row.attempts for row in rows] == [1, 0, 0]
        assert {row.next_attempt_at for row in rows} == {T0 + timedelta(seconds=60)}
        assert {row.webhook_id for row in rows} == {f"msg_vigie_e{row.event_id}_c{channel}" for row in rows}


def test_the_guard_runs_again_at_send_time(sessions):
    world = make_world(sessions)
    with Receiver(secret=(secret := new_secret())) as hook:
        add_channel(sessions, world.account_id, "webhook", f"{hook.url}/x", secret=secret)
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{hook.port}/y")
        enqueue_event(sessions, world.listing_id)
        report = deliver_channels(sessions, now=T0, policy=PUBLIC_ONLY, public_url=None, transport=FAST,
                                  clock=real_now)
    assert hook.received == [] and report.retried == 2
    with session_scope(sessions) as session:
        errors = session.scalars(select(ChannelDelivery.last_error)).all()
    assert all("loopback" in error for error in errors), errors


def test_page_content_reaches_a_chat_as_text_and_pings_nobody(sessions):
    world = make_world(sessions, label="<b>@everyone</b> Chaise")
    with Receiver() as chat:
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat.port}/")
        event_id = enqueue_event(sessions, world.listing_id, kind="price_change", before="20.00", after="30.00",
                                 details={"currency": "EUR", "change_pct": "50.0"})
        deliver_channels(sessions, now=T0, policy=LOCAL, public_url=None, transport=FAST, clock=real_now)
    message = chat.received[0].json()
    assert "@everyone" not in message["title"] and "@\u200beveryone" in message["title"]
    assert "20,00 € → 30,00 €" in message["message"]  # in the account's language (fr)
    assert event_id


def test_a_webhook_body_carries_the_pages_title_as_json_data(sessions):
    world = make_world(sessions)
    with session_scope(sessions) as session:
        snapshot = Snapshot(listing_id=world.listing_id, seq=1, fetched_at=T0, requested_url="https://x",
                            outcome="gone", title='</script><script>alert(1)</script>"', chain_hash="0" * 64)
        session.add(snapshot)
        session.flush()
        snapshot_id = snapshot.id
    secret = new_secret()
    with Receiver(secret=secret) as hook:
        add_channel(sessions, world.account_id, "webhook", f"{hook.url}/x", secret=secret)
        enqueue_event(sessions, world.listing_id, snapshot_id=snapshot_id)
        deliver_channels(sessions, now=T0, policy=LOCAL, public_url=None, transport=FAST, clock=real_now)
    assert hook.received[0].verified
    assert hook.received[0].json()["data"]["listing"]["title"] == '</script><script>alert(1)</script>"'


def test_removed_or_other_accounts_channels_get_nothing_and_enqueue_is_idempotent(sessions):
    world = make_world(sessions)
    kept = add_channel(sessions, world.account_id, "webhook", "http://127.0.0.1:9/a", secret=new_secret())
    removed = add_channel(sessions, world.account_id, "webhook", "http://127.0.0.1:9/b", secret=new_secret())
    with session_scope(sessions) as session:
        session.get(Channel, removed).active = False
    event_id = enqueue_event(sessions, world.listing_id)
    with session_scope(sessions) as session:
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="fr")
        rows = session.scalars(select(ChannelDelivery)).all()
    assert [(row.channel_id, row.status) for row in rows] == [(kept, "pending")]
