"""Engines and sessions. Callers own the transaction: `with session_scope(factory) as s: ...`."""
from __future__ import annotations

import errno
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'vigie.sqlite3').resolve()}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the UI read while the crawler writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def unavailable(error: BaseException) -> bool:
    """The database itself failed (down, restarting, connection cut, disk full), not this statement."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def one_line(error: BaseException) -> str:
    """The driver's own first line (without SQLAlchemy's SQL and background link), for a log line."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


FULL_BELOW = 1 << 20  # bytes free under which a failing write is put down to a full disk


def storage_trouble(error: BaseException, *, database_url: str, data_dir: Path) -> str | None:
    """One line for an operator when the database or the data directory failed, else None.

    SQLite on a full disk says "database or disk is full" or only "disk I/O error" (it could not
    grow its WAL index), so the free space of the directories involved is what names the cause."""
    if not (unavailable(error) or (isinstance(error, OSError) and error.errno == errno.ENOSPC)):
        return None
    folders = [data_dir]
    if database_url.startswith("sqlite:///"):
        folders.insert(0, Path(database_url.removeprefix("sqlite:///")).parent)
    for folder in folders:
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if free < FULL_BELOW:
            return (f"the disk holding {folder} is full ({free} bytes free); no check was kept half-written "
                    f"— free some space and run again ({one_line(error)})")
    if isinstance(error, OSError):
        return f"no space left on the device: {error}"
    return f"the database is unavailable: {one_line(error)}"
