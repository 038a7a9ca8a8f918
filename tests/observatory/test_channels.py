"""Alert channels from the observatory: the Account page (CSRF, the secret shown once) and the JSON API (each
account sees only its own), with real receivers on loopback."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from store.db import session_scope
from store.models_channels import Channel
from tests.alerts.receivers import Receiver
from tests.observatory.conftest import TestClient, csrf_of, log_in


def real_now() -> datetime:
    return datetime.now(UTC)  # a webhook's signature carries the time: receivers refuse an old one


@pytest.fixture
def client(sessions, world, tmp_path):
    config = ObservatoryConfig(allow_private_hosts=True, clock=real_now, channel_timeout=2.0,
                               outbox_dir=tmp_path / "outbox")
    with TestClient(create_app(config, sessions)) as c:
        yield c


def bearer(world, email):
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def add_on_page(client, url, **fields):
    page = client.get("/account")
    return client.post("/account/channels", data={"url": url, "csrf": csrf_of(page.text), **fields})


def test_a_seller_adds_tests_and_removes_a_webhook_and_sees_its_secret_once(client, sessions, world):
    log_in(client, "alice@example.org")
    assert "No channel yet" in client.get("/account").text
    with Receiver() as hook:
        added = add_on_page(client, f"webhook+{hook.url}/hooks/vigie", mode="digest")
        assert added.status_code == 201 and added.headers["cache-control"] == "no-store"
        with session_scope(sessions) as session:
            row = session.scalar(select(Channel))
            secret, channel_id = row.secret, row.id
            assert (row.account_id, row.alert_mode) == (world.seeded.alice_account, "digest")
        assert secret.startswith("whsec_") and added.text.count(secret) == 1
        again = client.get("/account")
        assert secret not in again.text and f"webhook+{hook.url}/hooks/vigie" in again.text
        hook.secret = secret
        tested = client.post(f"/account/channels/{channel_id}/test", data={"csrf": csrf_of(again.text)})
        assert tested.status_code == 200 and "test message accepted" in tested.text
        assert hook.received[0].verified and hook.received[0].json()["data"]["account"] == "alice-shop"
    down = client.post(f"/account/channels/{channel_id}/test", data={"csrf": csrf_of(again.text)})
    assert down.status_code == 502 and "connection refused" in down.text
    assert client.post(f"/account/channels/{channel_id}/remove", data={"csrf": "forged"}).status_code == 403
    removed = client.post(f"/account/channels/{channel_id}/remove", data={"csrf": csrf_of(again.text)},
                          follow_redirects=False)
    assert removed.status_code == 303 and "No channel yet" in client.get("/account").text


def test_the_page_refuses_bad_urls_in_one_line_and_forged_forms(client, sessions, world):
    log_in(client, "alice@example.org")
    refused = add_on_page(client, "foo://bar")
    assert refused.status_code == 400 and "neither mailto" in refused.text
    forged = client.post("/account/channels", data={"url": "mailto:a@example.com", "csrf": "forged"})
    assert forged.status_code == 403
    with session_scope(sessions) as session:
        assert session.scalar(select(Channel)) is None


def test_each_account_sees_only_its_own_channels(client, sessions, world):
    alice, bob, ivy = (bearer(world, e) for e in ("alice@example.org", "bob@example.org", "ivy@example.org"))
    made = client.post("/api/channels", json={"url": "mailto:team@alice.example"}, headers=alice)
    assert made.status_code == 201 and "secret" not in made.json()
    assert made.json() | {"created_at": None} == {
        "id": made.json()["id"], "account": "alice-shop", "kind": "email", "target": "mailto:team@alice.example",
        "mode": "immediate", "own_mode": None, "created_at": None, "failing_since": None, "deliveries": None,
        "user": None, "active": True}
    theirs = client.post("/api/channels", json={"url": "mailto:ops@bob.example", "account": "alice-shop"},
                         headers=bob).json()
    assert theirs["account"] == "bob-shop"  # a seller adds to their own account, whatever they name
    assert [c["id"] for c in client.get("/api/channels", headers=alice).json()] == [made.json()["id"]]
    assert client.delete(f"/api/channels/{theirs['id']}", headers=alice).status_code == 404
    assert client.post(f"/api/channels/{theirs['id']}/test", headers=alice).status_code == 404
    assert {c["account"] for c in client.get("/api/channels", headers=ivy).json()} == {"alice-shop", "bob-shop"}
    assert client.post("/api/channels", json={"url": "mailto:x@example.com"}, headers=ivy).status_code == 403
    log_in(client, "alice@example.org")
    page = client.get("/account").text
    assert "team@alice.example" in page and "ops@bob.example" not in page
    assert client.post(f"/account/channels/{theirs['id']}/remove", data={"csrf": csrf_of(page)}).status_code == 404


def test_the_api_adds_a_signed_webhook_tests_it_and_pages_the_list(client, world):
    alice = bearer(world, "alice@example.org")
    with Receiver() as hook:
        made = client.post("/api/channels", json={"url": f"webhook+{hook.url}/in", "mode": "digest"}, headers=alice)
        assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
        hook.secret = made.json()["secret"]
        channel_id = made.json()["id"]
        assert "secret" not in client.get("/api/channels", headers=alice).text
        tested = client.post(f"/api/channels/{channel_id}/test", headers=alice)
        assert tested.status_code == 200 and tested.json() == {"id": channel_id, "accepted_by": f"webhook+{hook.url}/in"}
        assert hook.received[0].verified
    failed = client.post(f"/api/channels/{channel_id}/test", headers=alice)
    assert failed.status_code == 502 and "connection refused" in failed.json()["detail"]
    client.post("/api/channels", json={"url": "mailto:second@example.com"}, headers=alice)
    first = client.get("/api/channels?limit=1", headers=alice)
    assert len(first.json()) == 1 and 'rel="next"' in first.headers["link"]
    following = client.get(first.headers["link"].split(">")[0].lstrip("<"), headers=alice)
    assert [c["target"] for c in following.json()] == ["mailto:second@example.com"]
    gone = client.delete(f"/api/channels/{channel_id}", headers=alice)
    assert gone.status_code == 200 and gone.json()["cancelled"] == 0 and gone.json()["active"] is False
    again = client.delete(f"/api/channels/{channel_id}", headers=alice)  # idempotent, as for listings
    assert again.status_code == 200 and again.json() == gone.json()
    assert client.post(f"/api/channels/{channel_id}/test", headers=alice).status_code == 404
    assert "mailto:second@example.com" in client.get("/api/channels", headers=alice).text
    assert f'"id":{channel_id},' not in client.get("/api/channels", headers=alice).text


@pytest.mark.parametrize("body, says", [
    ({"url": "webhook+http://127.0.0.1:9/x"}, "loopback"),
    ({"url": "json://10.0.0.7/x"}, "private"),
    ({"url": "foo://bar"}, "neither mailto"),
    ({"url": "mailto:x@example.com", "mode": "weekly"}, "immediate"),
    ({"url": "x" * 2001}, "2000"),
])
def test_the_api_refuses_unsafe_or_bad_channels_in_one_line(sessions, world, body, says):
    with TestClient(create_app(ObservatoryConfig(), sessions)) as public_only:
        refused = public_only.post("/api/channels", json=body, headers=bearer(world, "alice@example.org"))
    assert refused.status_code == 422 and says in str(refused.json()["detail"]), refused.text
    with session_scope(sessions) as session:
        assert session.scalar(select(Channel)) is None


def test_a_browser_session_cannot_write_channels_through_the_api(client, world):
    log_in(client, "alice@example.org")
    assert client.post("/api/channels", json={"url": "mailto:x@example.com"}).status_code == 401
    assert client.get("/api/channels").status_code == 200


def test_a_sellers_own_channel_is_theirs_alone_and_silent_once_they_are_deactivated(client, sessions, world):
    from alerts.outbox import enqueue
    from observatory.accounts import add_user, issue_token
    from store.models import Account, Event
    from store.models_channels import ChannelDelivery
    from store.models_observatory import User
    from tests.alerts.rows import add_event

    with session_scope(sessions) as session:  # a second seller of alice's account
        colleague = add_user(session, "carol@example.org", "seller", now=real_now(),
                             account=session.get(Account, world.seeded.alice_account))
        carol = {"Authorization": f"Bearer {issue_token(session, colleague, now=real_now())}"}
    alice = bearer(world, "alice@example.org")
    mine = client.post("/api/channels", json={"url": "json://127.0.0.1:9/alice-phone", "personal": True},
                       headers=alice)
    shared = client.post("/api/channels", json={"url": "json://127.0.0.1:9/team"}, headers=alice)
    assert mine.status_code == 201 and mine.json()["user"] == "alice@example.org" and shared.json()["user"] is None
    assert [c["id"] for c in client.get("/api/channels", headers=carol).json()] == [shared.json()["id"]]
    assert client.delete(f"/api/channels/{mine.json()['id']}", headers=carol).status_code == 404
    assert len(client.get("/api/channels", headers=bearer(world, "ivy@example.org")).json()) == 2
    refused = client.post("/api/channels", json={"url": "json://127.0.0.1:9/x", "personal": True,
                                                 "account": "alice-shop"}, headers=bearer(world, "root@example.org"))
    assert refused.status_code == 422 and "only sellers" in refused.json()["detail"]
    log_in(client, "alice@example.org")
    assert "yours only" in client.get("/account").text

    def channels_told():
        event_id = add_event(sessions, world.seeded.alice_listing)
        with session_scope(sessions) as session:
            enqueue(session, session.get(Event, event_id), now=real_now(), default_lang="fr")
            return sorted(session.scalars(select(ChannelDelivery.channel_id)
                                          .where(ChannelDelivery.event_id == event_id)))

    assert channels_told() == sorted([mine.json()["id"], shared.json()["id"]])
    with session_scope(sessions) as session:
        session.scalar(select(User).where(User.email == "alice@example.org")).active = False
    assert channels_told() == [shared.json()["id"]]
