"""Running `vigie` in-process (fast) for commands that do not start a crawl."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from vigie.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def vigie(monkeypatch, capsys, tmp_path, database_url):
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VIGIE_DATABASE_URL", database_url)
    monkeypatch.delenv("VIGIE_ALLOW_PRIVATE_HOSTS", raising=False)
    monkeypatch.delenv("VIGIE_SMTP_URL", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
