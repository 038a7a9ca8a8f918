"""Running the real `vigie` command line, in a child process, as a user would: from a working directory
of its own (never the checkout), and, when `VIGIE_TEST_CLI` names one, the `vigie` of an installed wheel
(`make test-installed`, run by CI) rather than this checkout's."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


def vigie_command() -> list[str]:
    """The `vigie` under test."""
    installed = os.environ.get("VIGIE_TEST_CLI")
    return [installed] if installed else [sys.executable, "-m", "vigie"]


def work_dir() -> str:
    """A fresh, empty working directory: nothing may be found relative to it (no scrapy.cfg, no alembic.ini)."""
    path = tempfile.mkdtemp(prefix="vigie-cwd-")
    atexit.register(shutil.rmtree, path, True)  # the test session's /tmp litter, gone when it ends
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Vigie:
    """`vigie ...` against one data directory and database, with loopback targets allowed."""

    def __init__(self, data_dir: Path, database_url: str, **env: str):
        self.env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url,
                    "VIGIE_ALLOW_PRIVATE_HOSTS": "1", **env}
        self.env.pop("VIGIE_SMTP_URL", None) if "VIGIE_SMTP_URL" not in env else None
        self.cwd = work_dir()

    def __call__(self, *args: str, stdin: str | None = None) -> Run:
        done = subprocess.run([*vigie_command(), *args], env=self.env, capture_output=True, text=True,
                              input=stdin, timeout=180, cwd=self.cwd)
        return Run(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str) -> Run:
        run = self(*args)
        assert run.code == 0, f"vigie {' '.join(args)} exited {run.code}: {run.err}"
        return run
