"""`vigie run`'s timestamp job against the real local authority: it stamps, waits out an outage, and is absent
when no authority is configured."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from sqlalchemy import select

from store.db import session_scope
from store.models import Account, Listing
from store.models_evidence import PENDING, STAMPED, TimestampBatch
from store.snapshots import append
from store import tsa as tsa_client
from vigie.cli.app import App
from vigie.cli.stamping import timestamp_job
from vigie.settings import Settings

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_app(tmp_path, database_url):
    apps = []

    def make(**settings) -> App:
        clock = iter(NOW + timedelta(minutes=m) for m in range(0, 600, 5))
        app = App(Settings(data_dir=tmp_path / "data", database_url=database_url, **settings))
        app.now = lambda: next(clock)  # each run of the job a little later
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def _snapshot(app: App) -> None:
    with session_scope(app.sessions) as session:
        account = Account(name="shop", created_at=NOW)
        session.add(account)
        session.flush()
        url = "https://shop.example/p/1"
        listing = Listing(account_id=account.id, url=url, canonical_url=url,
                          marketplace="generic", detector_state={}, created_at=NOW, next_check_at=NOW)
        session.add(listing)
        session.flush()
        append(session, listing.id, fetched_at=NOW, requested_url=listing.url, outcome="listed")


def test_no_authority_no_job(make_app):
    assert timestamp_job(make_app()) is None


def test_the_job_waits_out_an_outage_then_stamps(make_app, tsa, caplog):
    app = make_app(tsa_url=tsa.url, tsa_every=timedelta(hours=1))
    _snapshot(app)
    job = timestamp_job(app)
    assert job is not None and job.every == 60
    tsa.available = False
    try:
        with caplog.at_level(logging.WARNING):
            job.run()
    finally:
        tsa.available = True
    assert "timestamps wait (1 pending)" in caplog.text and "503" in caplog.text
    with session_scope(app.sessions) as session:
        assert session.scalars(select(TimestampBatch.status)).all() == [PENDING]
    job.run()  # five minutes later: past the first retry delay
    with session_scope(app.sessions) as session:
        batch = session.scalars(select(TimestampBatch)).one()
        assert batch.status == STAMPED and batch.attempts == 2
        roots = [x509.load_pem_x509_certificate(tsa.ca_pem.read_bytes())]
        assert tsa_client.verify(batch.response, bytes.fromhex(batch.root), roots) is not None


def test_the_timestamp_settings_are_read_once_and_checked(tmp_path):
    from vigie.settings import SettingsError, load

    certs = tmp_path / "ca.pem"
    certs.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_TSA_URL": "https://freetsa.org/tsr",
                     "VIGIE_TSA_CERTS": str(certs), "VIGIE_TSA_EVERY": "15m"})
    assert (settings.tsa_url, settings.tsa_certs, settings.tsa_every) == ("https://freetsa.org/tsr", certs,
                                                                          timedelta(minutes=15))
    assert load({"VIGIE_DATA_DIR": str(tmp_path)}).tsa_url is None
    with pytest.raises(SettingsError, match="VIGIE_TSA_URL"):
        load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_TSA_URL": "freetsa.org/tsr"})
    with pytest.raises(SettingsError, match="VIGIE_TSA_CERTS"):
        load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_TSA_CERTS": str(tmp_path / "missing.pem")})
