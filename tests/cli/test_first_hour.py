"""A newcomer's first hour with the real `vigie` (issue 25): what they mistype is one line and exit 2, what they
read is true and fits on a line, `vigie run` starts without noise."""
from __future__ import annotations

import importlib.metadata
import re
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli.runner import Vigie, vigie_command
from tests.conftest import PG_URL
from vigie.settings import load

PRODUCT = b"""<!doctype html><html><head><title>Chaise en ch\xc3\xaane</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", "name": "Chaise",
 "offers": {"@type": "Offer", "price": "89.00", "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock"}}</script></head>
<body><h1>Chaise en ch\xc3\xaane</h1><p>89,00 \xe2\x82\xac</p><button>Ajouter au panier</button></body></html>"""


class Shop(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PRODUCT)))
        self.end_headers()
        self.wfile.write(PRODUCT)

    def log_message(self, *args):
        pass


@pytest.fixture
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def vigie(tmp_path, database_url):
    return Vigie(tmp_path / "data", database_url)


def one_line(run, code: int = 2) -> str:
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err and run.err.count("\n") == 1, run.err
    return run.err


@pytest.mark.parametrize(("url", "says"), [
    ("not a url", "is not a database URL"),
    ("postgres://vigie:s3cret@db.example:notaport/vigie", "is not a database URL"),
    ("postgresql://vigie@db.example:99999/vigie", "port 99999 is not a TCP port"),
    ("postgres://vigie@db.example", "names no database"),
    ("mysql://vigie@db.example/vigie", "mysql:// is not supported"),
])
def test_a_database_url_vigie_cannot_use_is_one_line(tmp_path, url, says):
    said = one_line(Vigie(tmp_path, url)("list"))
    assert says in said and "VIGIE_DATABASE_URL" in said
    assert "s3cret" not in said  # a password is never echoed


def test_postgres_spelling_is_postgresql_with_psycopg():
    assert load({"VIGIE_DATABASE_URL": "postgres://u:p@h:5432/d"}).database_url == "postgresql+psycopg://u:p@h:5432/d"
    assert load({"VIGIE_DATABASE_URL": "postgresql://h/d"}).database_url == "postgresql+psycopg://h/d"


@pytest.mark.skipif(not PG_URL, reason="needs VIGIE_TEST_DATABASE_URL (PostgreSQL)")
def test_vigie_works_on_a_postgres_url(tmp_path, database_url):
    spelled = re.sub(r"^postgresql(\+psycopg)?://", "postgres://", database_url)
    assert Vigie(tmp_path, spelled)("list", "--json").json() == []


@pytest.mark.parametrize("args", [
    ("history", "2147483648"), ("remove", "2147483648"), ("export-evidence", "99999999999", "--out", "x.zip"),
    ("price-rule", "--listing", "2147483648"), ("events", "--listing", "2147483648"),
    ("check", "--listing", "9223372036854775808"), ("channel", "remove", "2147483648"), ("history", "0"),
])
def test_ids_past_the_id_range_are_one_line(vigie, args):
    assert "is not an id (ids run from 1 to 2,147,483,647)" in one_line(vigie(*args))


def test_serve_on_an_impossible_port_is_one_line(vigie):
    assert "99999 is not in the range" in one_line(vigie("serve", "--port", "99999"))


def test_serve_on_a_port_in_use_is_one_line(vigie):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        said = one_line(vigie("serve", "--port", str(port)))
    finally:
        taken.close()
    assert f"port {port} on 127.0.0.1 is already in use" in said


def test_version(vigie):
    run = vigie("--version")
    assert run.code == 0 and run.out == f"vigie {importlib.metadata.version('vigie')}\n"


def test_user_list_and_deactivate(vigie):
    assert vigie.ok("user", "list").out == "no users yet\n"
    vigie.ok("user", "add", "vendeuse@atelier.fr", "--role", "seller", "--account", "Atelier")
    vigie.ok("user", "add", "enqueteur@dgccrf.example", "--role", "investigator")
    users = {u["email"]: u for u in vigie.ok("user", "list", "--json").json()}
    assert users["vendeuse@atelier.fr"] | {"id": 0, "created_at": ""} == {
        "id": 0, "email": "vendeuse@atelier.fr", "role": "seller", "account": "Atelier", "lang": "fr",
        "active": True, "created_at": ""}
    assert users["enqueteur@dgccrf.example"]["account"] is None
    assert "is now deactivated" in vigie.ok("user", "deactivate", "Vendeuse@Atelier.fr").err
    assert "was already deactivated" in vigie.ok("user", "deactivate", "vendeuse@atelier.fr").err
    listed = {u["email"]: u["active"] for u in vigie.ok("user", "list", "--json").json()}
    assert listed == {"vendeuse@atelier.fr": False, "enqueteur@dgccrf.example": True}
    table = vigie.ok("user", "list").out
    assert re.search(r"vendeuse@atelier\.fr .* no ", table) and re.search(r"enqueteur@dgccrf\.example .* yes ", table)
    assert "is now active" in vigie.ok("user", "activate", "vendeuse@atelier.fr").err
    assert "no user nobody@example.fr" in one_line(vigie("user", "deactivate", "nobody@example.fr"))


def test_an_admin_changes_an_accounts_alert_language(vigie, database_url):
    from alerts.outbox import enqueue
    from store.db import make_engine, session_factory, session_scope
    from store.models import Account, Event, Listing

    vigie.ok("add", "http://127.0.0.1:9/p/1", "--email", "vendeuse@atelier.fr", "--account", "Atelier")
    assert "alerts in English (en)" in vigie.ok("alert-lang", "en", "--account", "Atelier").err
    assert "no account named 'Nobody'" in one_line(vigie("alert-lang", "en", "--account", "Nobody"))
    assert "'de' is not one of 'fr', 'en'" in one_line(vigie("alert-lang", "de", "--account", "Atelier"))
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            assert session.query(Account).filter_by(name="Atelier").one().lang == "en"
            listing = session.query(Listing).one()
            event = Event(listing_id=listing.id, kind="delisted", detected_at=listing.created_at, before="listed",
                          after="gone", details={})
            session.add(event)
            session.flush()
            [delivery] = enqueue(session, event, now=listing.created_at, default_lang="fr")
            assert (delivery.recipient, delivery.lang) == ("vendeuse@atelier.fr", "en")
    finally:
        engine.dispose()


def test_events_with_none_say_so(vigie):
    assert vigie.ok("events").out == "no events yet\n"
    assert vigie.ok("events", "--since", "2025-01-01").out == "no events since 2025-01-01 yet\n"
    assert vigie.ok("events", "--json").json() == []


def test_history_shows_the_chain_hash_and_piped_tables_keep_a_row_on_a_line(vigie, shop):
    vigie.env.pop("COLUMNS", None)  # no width asked for: what a pipe from a shell gets
    listing = vigie.ok("add", f"{shop}/produit/chaise-en-chene-massif-avec-un-tres-long-nom", "--json").json()
    assert vigie.ok("history", str(listing["id"])).out == f"listing {listing['id']} has not been checked yet\n"
    for _ in range(2):
        checked = vigie.ok("check", "--all")
        assert re.search(r"1 listing\(s\) checked in (\d+ ms|\d+\.\d s):", checked.err), checked.err
        assert "in 0.0 s" not in checked.err
    snapshots = vigie.ok("history", str(listing["id"]), "--json").json()
    assert [len(s["chain_hash"]) for s in snapshots] == [64, 64]
    table = vigie.ok("history", str(listing["id"])).out  # stdout is a pipe here, as in `vigie history 1 | less`
    for snapshot in snapshots:
        [row] = [line for line in table.splitlines() if snapshot["chain_hash"][:12] in line]
        assert snapshot["fetched_at"][:19] in row and "listed" in row and "89.00 EUR" in row
        assert snapshot["chain_hash"][:13] not in row  # the short form, as git shows commits
    listed = vigie.ok("list").out
    [row] = [line for line in listed.splitlines() if "chaise-en-chene" in line]
    assert f"{shop}/produit/chaise-en-chene-massif-avec-un-tres-long-nom" in row and re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row)


def test_vigie_run_starts_without_scrapy_warnings_and_says_routine_things_at_info(tmp_path, database_url, shop):
    vigie = Vigie(tmp_path / "data", database_url, VIGIE_TICK="1s")
    vigie.ok("add", f"{shop}/produit/1", "--every", "1s")
    process = subprocess.Popen([*vigie_command(), "run"], env=vigie.env, cwd=vigie.cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not vigie.ok("history", "1", "--json").json():
            time.sleep(0.5)
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert "RefererMiddleware" not in err and "Referer" not in err, err
    assert re.search(r"vigie\.service INFO: service: running", err), err
    assert not [line for line in err.splitlines() if " WARNING: " in line or " ERROR: " in line], err
