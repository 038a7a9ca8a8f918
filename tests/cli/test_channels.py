"""`vigie channel add|list|test|remove`, run as the `vigie` command from a working directory of its own (the
delivery of a delisting to every channel through an outage: tests/e2e/test_channel_delivery.py)."""
from __future__ import annotations

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
            "own_mode": None, "failing_since": None, "user": None, "active": True}
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


def test_a_sellers_own_channel_and_a_channels_own_mode_from_the_command_line(tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url)
    vigie.ok("user", "add", "alice@example.org", "--role", "seller", "--account", "alice-shop")
    vigie.ok("user", "add", "bob@example.org", "--role", "seller", "--account", "bob-shop")
    vigie.ok("channel", "add", "json://127.0.0.1:9/phone", "--user", "Alice@example.org", "--mode", "digest")
    listed = vigie.ok("channel", "list", "--json").json()
    assert [(c["account"], c["user"], c["mode"], c["own_mode"]) for c in listed] == [
        ("alice-shop", "alice@example.org", "digest", "digest")]
    nobody = vigie("channel", "add", "json://127.0.0.1:9/x", "--user", "nobody@example.org")
    assert nobody.code == 2 and nobody.err.count("\n") == 1 and "no seller user" in nobody.err
    elsewhere = vigie("channel", "add", "json://127.0.0.1:9/y", "--user", "alice@example.org", "--account", "bob-shop")
    assert elsewhere.code == 2 and "only the sellers of account bob-shop" in elsewhere.err
