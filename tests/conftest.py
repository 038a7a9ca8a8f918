"""Shared fixtures: a real database (SQLite, or PostgreSQL when VIGIE_TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

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


def _worker_pg_url() -> str:
    """Under pytest-xdist each worker gets a database of its own next to VIGIE_TEST_DATABASE_URL's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return PG_URL
    url = make_url(PG_URL)
    name = f"{url.database}_{worker}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_url() -> str | None:
    return _worker_pg_url() if PG_URL else None


@pytest.fixture(scope="session")
def _pg_engine(_pg_url):
    if not _pg_url:
        yield None
        return
    engine = make_engine(_pg_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, _template_sqlite, _pg_url, _pg_engine) -> str:
    """A migrated, empty database for this test; its URL."""
    if _pg_engine is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with _pg_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return _pg_url
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


# `make test` runs the files on two workers (pytest-xdist, --dist loadfile); the longest files go first so the
# pass does not end on one of them alone.
LONGEST_FIRST = ("tests/security/test_openapi_fuzz.py", "tests/cluster/test_nodes.py", "tests/faults/test_crash_kills.py",
                 "tests/faults/test_hostile_pages.py", "tests/e2e/test_delisting_loop.py", "tests/service/test_run.py")


def pytest_collection_modifyitems(config, items):
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
