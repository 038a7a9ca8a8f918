"""vigie.report_import on a real database: the URL guard applies to every row of a report (one DNS answer per
host), one import's queries do not grow with its rows, and a sync keeps history."""
from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select

from store.models import Account, Listing
from vigie.report_formats import detect
from vigie.report_import import Policy, import_report

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


class Resolver:
    def __init__(self, address: str):
        self.address, self.calls = address, []

    def __call__(self, host, port, *_):
        self.calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (self.address, port or 443))]


def account(session) -> Account:
    owner = Account(name="Maison Ferrand", created_at=NOW)
    session.add(owner)
    session.commit()
    return owner


def big_report(rows: int) -> bytes:
    lines = (REPORTS / "amazon-all-listings-en.txt").read_text(encoding="utf-8").splitlines()
    template = lines[1].split("\t")
    out = [lines[0]]
    for n in range(rows):
        template[3], template[16] = f"SKU-{n}", f"B0{n:08d}"
        out.append("\t".join(template))
    return ("\n".join(out) + "\n").encode()


def test_a_host_that_resolves_to_loopback_refuses_every_row_once(sessions):
    resolver = Resolver("127.0.0.1")
    with sessions() as session:
        result = import_report(session, detect((REPORTS / "amazon-all-listings-en.txt").read_bytes()),
                               account=account(session), site="amazon.fr", sync=False,
                               policy=Policy(allow_private=False, resolve=resolver), now=NOW)
        assert result.added == [] and [line for line, _ in result.refused] == [2, 3, 5, 6]
        assert "loopback" in result.refused[0][1] and "VIGIE_ALLOW_PRIVATE_HOSTS=1" in result.refused[0][1]
        assert resolver.calls == ["www.amazon.fr"]
        assert session.scalars(select(Listing)).all() == []


def test_the_statements_of_an_import_do_not_grow_with_its_rows(sessions, engine):
    counts = []
    for rows in (50, 500):
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        with sessions() as session:
            result = import_report(session, detect(big_report(rows)), account=account_named(session, rows),
                                   site="amazon.fr", sync=False,
                                   policy=Policy(allow_private=False, resolve=Resolver("93.184.216.34")), now=NOW)
        event.remove(engine, "before_cursor_execute", listener)
        assert len(result.added) == rows
        counts.append(len(statements))
    assert counts[1] <= counts[0] + 2, counts  # batches of 1,000: 50 and 500 rows are one batch each


def account_named(session, rows: int) -> Account:
    owner = Account(name=f"shop {rows}", created_at=NOW)
    session.add(owner)
    session.commit()
    return owner
