"""A sender SIGKILLed mid-send (by the webhook receiver, the moment it has the request): after its claim
runs out the next pass sends again with the same webhook-id, so each channel has its alert exactly once by
webhook-id, and nothing is lost."""
from __future__ import annotations

import signal
import time
from datetime import UTC, datetime

from sqlalchemy import select, update

from alerts.channels import new_secret
from store.db import session_scope
from store.models import Listing
from store.models_channels import ChannelDelivery
from tests.alerts.receivers import Receiver
from tests.alerts.test_channels import add_channel, enqueue_event
from tests.alerts.rows import make_world
from tests.cli.runner import Vigie
from tests.faults.harness import Target


def test_a_sender_killed_mid_send_delivers_each_channel_once_by_webhook_id(sessions, database_url, tmp_path):
    world = make_world(sessions)
    with session_scope(sessions) as session:  # nothing to check: the passes only deliver
        session.execute(update(Listing).values(next_check_at=datetime(2100, 1, 1, tzinfo=UTC)))
    target = Target()
    first, second = new_secret(), new_secret()
    with Receiver(secret=first, on_request=lambda _: target.kill()) as killer, \
            Receiver(secret=second) as other, Receiver() as chat:
        killer_id = add_channel(sessions, world.account_id, "webhook", f"{killer.url}/a", secret=first)
        add_channel(sessions, world.account_id, "webhook", f"{other.url}/b", secret=second)
        add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat.port}/c")
        for _ in range(2):
            enqueue_event(sessions, world.listing_id)
        # VIGIE_CHANNEL_TIMEOUT=1: a claim lasts 6 s, so what a killed sender held goes again 6 s later
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CHANNEL_TIMEOUT="1")
        process = target.spawn(vigie.env, vigie.cwd, ("check", "--json"), tmp_path / "killed.log")
        assert target.killed.wait(60), (tmp_path / "killed.log").read_text()
        assert process.wait(timeout=30) == -signal.SIGKILL
        killer.on_request = None
        with session_scope(sessions) as session:
            held = session.scalars(select(ChannelDelivery).where(ChannelDelivery.channel_id == killer_id)).all()
        assert any(row.status == "pending" for row in held)  # the kill left the alert it was sending unrecorded
        time.sleep(6.5)
        done = vigie.ok("check", "--json").json()
        assert done["channels"]["failed"] == 0

    with session_scope(sessions) as session:
        assert set(session.scalars(select(ChannelDelivery.status))) == {"sent"}
        assert len(session.scalars(select(ChannelDelivery)).all()) == 6
    for receiver in (killer, other):
        assert all(item.verified for item in receiver.received)
        assert len(set(receiver.ids())) == 2  # two events, each once by webhook-id
    assert len(killer.received) >= 3  # the one the kill interrupted came again, with the same id
    assert len(chat.received) >= 2  # never lost (a chat cannot de-duplicate: at least once)


def test_a_sender_killed_while_a_chat_takes_the_message_loses_nothing(sessions, database_url, tmp_path):
    """Killed the moment the chat service has the request: the chat's alert goes again (a chat cannot
    de-duplicate: at least once), the webhook beside it has each alert exactly once by webhook-id."""
    world = make_world(sessions)
    with session_scope(sessions) as session:
        session.execute(update(Listing).values(next_check_at=datetime(2100, 1, 1, tzinfo=UTC)))
    target = Target()
    secret = new_secret()
    with Receiver(on_request=lambda _: target.kill()) as chat, Receiver(secret=secret) as hook:
        chat_id = add_channel(sessions, world.account_id, "apprise", f"json://127.0.0.1:{chat.port}/c")
        add_channel(sessions, world.account_id, "webhook", f"{hook.url}/h", secret=secret)
        events = [enqueue_event(sessions, world.listing_id) for _ in range(2)]
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CHANNEL_TIMEOUT="1")
        process = target.spawn(vigie.env, vigie.cwd, ("check", "--json"), tmp_path / "killed.log")
        assert target.killed.wait(60), (tmp_path / "killed.log").read_text()
        assert process.wait(timeout=30) == -signal.SIGKILL
        chat.on_request = None
        with session_scope(sessions) as session:
            held = session.scalars(select(ChannelDelivery).where(ChannelDelivery.channel_id == chat_id)).all()
        assert all(row.status == "pending" for row in held)  # the kill came before any chat row was recorded
        time.sleep(6.5)  # the killed sender's claim runs out
        vigie.ok("check", "--json")

    with session_scope(sessions) as session:
        assert set(session.scalars(select(ChannelDelivery.status))) == {"sent"}
    assert len(chat.received) == 3  # the interrupted one twice, the other once
    assert all(item.verified for item in hook.received)
    assert sorted(hook.ids()) == sorted(f"msg_vigie_e{event}_c{chat_id + 1}" for event in events)
