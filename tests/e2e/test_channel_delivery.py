"""Issue 28's "done": a delisting on the sandbox reaches email (a real SMTP server), a signed webhook (a receiver
verifying Standard Webhooks signatures) and a chat (Apprise's ntfy:// to a receiver speaking ntfy's JSON
publish API) once each, through an outage of the webhook, from the `vigie` command (the installed wheel's
under `make test-installed`)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope
from store.models_channels import ChannelDelivery
from tests.alerts.receivers import Receiver
from tests.cli.runner import Vigie


def skip_the_back_off(database_url: str) -> None:
    """The minute of back-off passes: the pending rows are due again."""
    engine = make_engine(database_url)
    with session_scope(session_factory(engine)) as session:
        session.execute(update(ChannelDelivery).where(ChannelDelivery.status == "pending")
                        .values(next_attempt_at=ChannelDelivery.created_at))
    engine.dispose()


def test_a_delisting_reaches_email_webhook_and_ntfy_once_each_through_a_webhook_outage(tmp_path, database_url):
    catalog = Catalog([Product(id="lamp", title="Lampe @everyone", price=Decimal("19.90"), seller="Boutique")])
    with run_in_thread(catalog) as sandbox, SmtpCatcher() as smtp, Receiver() as hook, Receiver() as ntfy:
        vigie = Vigie(tmp_path / "data", database_url, VIGIE_SMTP_URL=smtp.url, VIGIE_CONFIRMATIONS="2",
                      VIGIE_PUBLIC_URL="https://vigie.example/", VIGIE_CHANNEL_TIMEOUT="2")
        vigie.ok("add", f"{sandbox.url}/p/lamp", "--email", "owner@example.com", "--label", "Lampe")
        hook.secret = vigie.ok("channel", "add", f"webhook+{hook.url}/in").out.strip()
        vigie.ok("channel", "add", f"ntfy://127.0.0.1:{ntfy.port}/vigie-alerts")
        vigie.ok("channel", "add", "mailto:team@example.com")
        hook.stop()  # the webhook's receiver goes down
        vigie.ok("check", "--all")  # the baseline
        catalog.patch("lamp", state="not_found")
        vigie.ok("check", "--all")
        delisted = vigie.ok("check", "--all", "--json").json()  # the second sighting confirms
        assert delisted["results"][0]["events"] == ["delisted"]
        assert delisted["channels"] == {"sent": 1, "retrying": 1, "failed": 0, "failures": []}
        assert delisted["emails"]["sent"] == 2
        listed = {c["kind"]: c for c in vigie.ok("channel", "list", "--json").json()}
        assert listed["webhook"]["failing_since"] is not None and listed["webhook"]["deliveries"]["pending"] == 1

        hook.start()  # back, on the same port
        skip_the_back_off(database_url)
        later = vigie.ok("check", "--json").json()
        assert later["channels"]["sent"] == 1 and later["emails"]["sent"] == 0
        assert vigie.ok("check", "--json").json()["channels"]["sent"] == 0
        assert smtp.wait_for(2, timeout=10)
        listed = {c["kind"]: c for c in vigie.ok("channel", "list", "--json").json()}
        assert listed["webhook"]["failing_since"] is None  # the outage is over

    assert len(hook.received) == 1 and hook.received[0].verified
    body = hook.received[0].json()
    assert body["type"] == "vigie.event.delisted" and body["data"]["listing"]["label"] == "Lampe"
    assert body["data"]["observatory_url"].startswith("https://vigie.example/listings/")
    assert len(ntfy.received) == 1
    published = ntfy.received[0].json()
    assert published["topic"] == "vigie-alerts"
    assert published["title"] == "[Vigie] Votre annonce a été retirée : Lampe"
    assert "https://vigie.example/listings/" in published["message"]
    assert sorted(message["To"] for message in smtp.messages) == ["owner@example.com", "team@example.com"]
    assert all("Lampe" in message["Subject"] for message in smtp.messages)
