"""What the fault tests share: `vigie` as a child process that can be killed at a chosen point,
a sandbox that says which page is asked for, a write lock held on the database, and the checks
that nothing was lost, forked or doubled."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import func, select

from sandbox.catalog import Catalog
from store import snapshots
from store.db import session_scope
from store.models import AlertDelivery, Event, Snapshot
from tests.cli.runner import vigie_command

PHASES = ("fetching", "recording", "sending")


class TappedCatalog(Catalog):
    """The sandbox's catalog, telling `on_request` (on the server's thread) of each product page asked for."""

    def __init__(self, products=()):
        self.on_request: Callable[[str], None] | None = None
        super().__init__(products)

    def get(self, product_id: str):
        hook = self.on_request
        if hook is not None:
            hook(product_id)
        return super().get(product_id)


class Target:
    """The `vigie` process the next fault is aimed at: `kill()` is SIGKILL to its whole process group."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.killed = threading.Event()

    def spawn(self, env: dict[str, str], cwd: str, args: tuple[str, ...], log: Path) -> subprocess.Popen:
        self.killed.clear()
        with open(log, "ab") as handle:
            self.process = subprocess.Popen([*vigie_command(), *args], env=env, cwd=cwd, stdout=handle,
                                            stderr=handle, start_new_session=True)
        return self.process

    def kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.killed.set()


def kill_plan(seed: int, count: int) -> list[tuple[str, float]]:
    """`count` (phase, where-in-the-phase 0..1) points, the phases in equal shares, reproducible from `seed`."""
    rng = random.Random(seed)
    phases = [PHASES[i % len(PHASES)] for i in range(count)]
    rng.shuffle(phases)
    return [(phase, rng.random()) for phase in phases]


@contextmanager
def writes_held(database_url: str) -> Iterator[None]:
    """Holds a lock that makes the next snapshot write wait (readers still read): a recorder that
    reaches it is stuck inside its transaction, where a kill must leave nothing half-written."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    import psycopg

    with psycopg.connect(database_url) as connection:
        connection.execute("LOCK TABLE snapshots IN SHARE MODE")
        try:
            yield
        finally:
            connection.rollback()


def snapshot_ids(sessions) -> set[int]:
    with session_scope(sessions) as session:
        return set(session.scalars(select(Snapshot.id)))


def snapshot_count(sessions) -> int:
    with session_scope(sessions) as session:
        return session.scalar(select(func.count()).select_from(Snapshot)) or 0


def pending_claims_expired(sessions, now) -> bool:
    with session_scope(sessions) as session:
        return not session.scalar(select(func.count()).select_from(AlertDelivery).where(
            AlertDelivery.status == "pending", AlertDelivery.next_attempt_at > now))


def all_sent(sessions, expected: int) -> bool:
    with session_scope(sessions) as session:
        rows = session.scalars(select(AlertDelivery)).all()
    return len(rows) == expected and all(row.status == "sent" for row in rows)


def assert_intact(sessions, listing_ids, expected_events: list[tuple[int, str]], recipients: int,
                  smtp, stored_before: set[int]) -> None:
    """Hash chains whole and gapless, every snapshot once stored still there, each expected event
    exactly once with a stored snapshot, each of its emails sent, and received once at the server."""
    with session_scope(sessions) as session:
        stored = set(session.scalars(select(Snapshot.id)))
        assert stored_before <= stored, f"snapshots lost: {sorted(stored_before - stored)}"
        for listing_id in listing_ids:
            history = snapshots.history(session, listing_id)
            assert [s.seq for s in history] == list(range(1, len(history) + 1)), listing_id
            assert snapshots.verify_chain(history) == [], listing_id
        events = session.execute(select(Event.listing_id, Event.kind, Event.snapshot_id)).all()
        for listing_id, _, snapshot_id in events:
            assert session.get(Snapshot, snapshot_id).listing_id == listing_id
        assert sorted((lid, kind) for lid, kind, _ in events) == sorted(expected_events)
        rows = session.scalars(select(AlertDelivery)).all()
        assert len(rows) == len(expected_events) * recipients
        assert {row.status for row in rows} == {"sent"}, [(r.recipient, r.status, r.last_error) for r in rows]
        expected_ids = sorted(row.message_id for row in rows)
    received = [str(message["Message-ID"]) for message in smtp.messages]
    assert sorted(received) == expected_ids  # every alert arrived, and none twice
