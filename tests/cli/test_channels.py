"""`vigie channel add|list|test|remove`, and `vigie check` delivering a delisting to every channel, run as
the `vigie` command from a working directory of its own."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models_channels import ChannelDelivery
from tests.alerts.receivers import Receiver
from tests.cli.runner import Vigie


def test_channel_commands_keep_the_secret_to_one_showing(tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url)
    with Receiver() as hook:
        added = vigie.ok("channel", "add", f"webhook+{hook.url}/hooks/vigie")
        secret = added.out.strip()
        assert secret.startswith("whsec_") and added.out.count("\n") == 1  # stdout: the secret, alone
        assert "channel 1 added for account default" in added.err
        hook.secret = secret
        listed = vigie.ok("channel", "list", "--json")
        assert listed.json()[0] | {"created_at": None} == {
            "id": 1, "account": "default", "kind": "webhook", "target": f"webhook+{hook.url}/hooks/vigie",
            "created_at": None, "deliveries": {"pending": 0, "sent": 0, "failed": 0}, "mode": "immediate",
            "own_mode": None, "failing_since": None}
        tested = vigie.ok("channel", "test", "1")
        assert tested.err.strip() == f"channel 1: test message accepted by webhook+{hook.url}/hooks/vigie"
        assert hook.received[0].verified and hook.received[0].json()["type"] == "vigie.test"
    down = vigie("channel", "test", "1")
    assert down.code == 1 and down.err.count("\n") == 1 and "connection refused" in down.err
    others = [vigie("channel", "list"), vigie("channel", "list", "--account", "default", "--json"), tested, down]
    assert not any(secret.removeprefix("whsec_") in run.out + run.err for run in others)
    assert vigie.ok("channel", "remove", "1").err.strip().startswith("channel 1 removed")
    assert vigie.ok("channel", "list", "--json").json() == []
    assert vigie("channel", "remove", "1").code == 2


def test_bad_channels_are_one_line_and_exit_2(tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url)
    public_only = Vigie(tmp_path / "data", database_url, VIGIE_ALLOW_PRIVATE_HOSTS="0")
    for run, says in [(vigie("channel", "add", "not a url"), "spaces"),
                      (vigie("channel", "add", "foo://bar"), "neither mailto"),
                      (vigie("channel", "add", "mailto:x@example.com", "--account", "nobody"), "no account named"),
                      (public_only("channel", "add", "webhook+http://127.0.0.1:9/x"), "loopback"),
                      (public_only("channel", "add", "json://127.0.0.1:9/x"), "loopback"),
                      (vigie("channel", "test", "42"), "no channel with id 42"),
                      (vigie("channel", "test", "x"), "is not a valid integer")]:
        assert run.code == 2 and run.err.count("\n") == 1 and says in run.err, run.err
    assert vigie.ok("channel", "list", "--json").json() == []


def test_a_delisting_reaches_email_webhook_and_chat_once_each_through_an_outage(tmp_path, database_url):
    catalog = Catalog([Product(id="lamp", title="Lampe @everyone", price=Decimal("19.90"), seller="Boutique")])
    with run_in_thread(catalog) as sandbox, Receiver() as hook, Receiver() as chat:
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_CONFIRMATIONS="2",
                      VIGIE_PUBLIC_URL="https://vigie.example/", VIGIE_CHANNEL_TIMEOUT="2")
        vigie.ok("add", f"{sandbox.url}/p/lamp", "--email", "owner@example.com", "--label", "Lampe")
        hook.secret = vigie.ok("channel", "add", f"webhook+{hook.url}/in").out.strip()
        chat_port = chat.port
        vigie.ok("channel", "add", f"json://127.0.0.1:{chat_port}/chat")
        vigie.ok("channel", "add", "mailto:team@example.com")
        chat.stop()  # the chat service goes down
        vigie.ok("check", "--all")  # the baseline
        catalog.patch("lamp", state="not_found")
        vigie.ok("check", "--all")
        delisted = vigie.ok("check", "--all", "--json").json()  # the second sighting confirms
        assert delisted["results"][0]["events"] == ["delisted"]
        assert delisted["channels"] == {"sent": 1, "retrying": 1, "failed": 0, "failures": []}
        assert delisted["emails"]["sent"] == 2
        chat.port = chat_port
        chat.start()  # back; a minute passes, the back-off with it
        engine = make_engine(database_url)
        with session_scope(session_factory(engine)) as session:
            session.execute(update(ChannelDelivery).where(ChannelDelivery.status == "pending")
                            .values(next_attempt_at=ChannelDelivery.created_at))
        engine.dispose()
        later = vigie.ok("check", "--json").json()
        assert later["channels"]["sent"] == 1 and later["emails"]["sent"] == 0
        vigie.ok("check", "--json")
    assert len(hook.received) == 1 and hook.received[0].verified
    body = hook.received[0].json()
    assert body["data"]["event"]["kind"] == "delisted" and body["data"]["listing"]["label"] == "Lampe"
    assert body["data"]["observatory_url"].startswith("https://vigie.example/listings/")
    assert len(chat.received) == 1 and "@everyone" not in chat.received[0].body.decode()
    assert chat.received[0].json()["title"] == "[Vigie] Votre annonce a été retirée : Lampe"
    emails = sorted(path.read_text() for path in (tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(emails) == 2 and any("team@example.com" in e for e in emails)
