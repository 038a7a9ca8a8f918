"""Helpers for tests that run `vigie run` as a child process."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import update

from store.db import make_engine, session_factory, session_scope
from store.models import Listing
from tests.cli.runner import vigie_command, work_dir

FAST = {"VIGIE_TICK": "1s", "VIGIE_ALERT_EVERY": "1s", "VIGIE_RECHECK_DELAY": "1s", "VIGIE_JITTER": "0",
        "VIGIE_CATCHUP_WINDOW": "2s"}


def start_service(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([*vigie_command(), "run"], env=env, stdout=handle, stderr=handle,
                                start_new_session=True, cwd=work_dir())


def stop_service(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> tuple[int, float]:
    """Sends `sig`; returns (exit status, seconds it took)."""
    started = time.monotonic()
    process.send_signal(sig)
    code = process.wait(timeout=timeout)
    return code, time.monotonic() - started


def set_interval(database_url: str, seconds: int) -> None:
    """Shortens every listing's interval below the 5 min users may choose: for tests only."""
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            session.execute(update(Listing).values(every_seconds=seconds))
    finally:
        engine.dispose()


def wait_until(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"condition not met within {timeout} s")


def environment(vigie_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {**vigie_env, **FAST, **extra}
    env.setdefault("PYTHONUNBUFFERED", "1")
    return {k: v for k, v in env.items() if v is not None and k in env} | {"PATH": os.environ.get("PATH", "")}
