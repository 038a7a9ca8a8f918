"""Shared fixtures: a real database (SQLite, or PostgreSQL when VIGIE_TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import make_engine, session_factory, sqlite_url
from store.migrate import upgrade
from store.all_models import Base

PG_URL = os.environ.get("VIGIE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _template_sqlite(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test: migrations run once per session."""
    folder = tmp_path_factory.mktemp("template-db")
    engine = make_engine(sqlite_url(folder))
    upgrade(engine)
    engine.dispose()
    return folder / "vigie.sqlite3"


@pytest.fixture(scope="session")
def _pg_engine():
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, _template_sqlite, _pg_engine) -> str:
    """A migrated, empty database for this test; its URL."""
    if _pg_engine is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with _pg_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return PG_URL
    data_dir = tmp_path / "db"
    data_dir.mkdir()
    shutil.copy(_template_sqlite, data_dir / "vigie.sqlite3")
    return sqlite_url(data_dir)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    """A session factory bound to the test database; tests own their transactions."""
    return session_factory(engine)
