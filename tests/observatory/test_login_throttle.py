"""Failed logins slow guessing down (observatory.login_throttle), in the web app and on its own."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from observatory.login_throttle import LoginThrottle
from tests.observatory.conftest import log_in

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_five_wrong_passwords_lock_the_user_even_with_the_right_one_then(client):
    for _ in range(5):
        assert log_in(client, "alice@example.org", "guess").status_code == 401
    locked = log_in(client, "alice@example.org")
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert log_in(client, "ALICE@example.org ").status_code == 429  # the same user, however typed
    assert log_in(client, "bob@example.org").status_code == 303  # others are not locked out


def test_one_address_trying_many_users_is_stopped(client):
    for n in range(20):
        assert log_in(client, f"user{n}@example.org", "guess").status_code == 401
    assert log_in(client, "alice@example.org").status_code == 429


def test_the_lock_ends_when_the_failures_leave_the_window():
    throttle = LoginThrottle()
    for minute in range(5):
        throttle.failed("alice", "10.0.0.1", now=T0 + timedelta(minutes=minute))
    assert throttle.refused_for("alice", "10.0.0.2", now=T0 + timedelta(minutes=5)) == timedelta(minutes=10)
    assert throttle.refused_for("alice", "10.0.0.2", now=T0 + timedelta(minutes=15)) is None  # the first expired
    assert throttle.refused_for("bob", "10.0.0.1", now=T0 + timedelta(minutes=5)) is None


def test_a_success_clears_the_users_failures_but_not_the_addresss():
    throttle = LoginThrottle(per_user=2, per_address=3)
    throttle.failed("alice", "10.0.0.1", now=T0)
    throttle.succeeded("alice")
    throttle.failed("alice", "10.0.0.1", now=T0)
    assert throttle.refused_for("alice", "10.0.0.9", now=T0) is None  # one failure since the success
    throttle.failed("bob", "10.0.0.1", now=T0)
    assert throttle.refused_for("carol", "10.0.0.1", now=T0) == timedelta(minutes=15)  # three from that address
