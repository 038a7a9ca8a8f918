"""What every command shares: settings read once, the database opened (and migrated) on demand."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine, session_factory
from store.migrate import upgrade
from vigie.settings import Settings


class BadInput(Exception):
    """Exit status 2 with this one line on stderr; nothing was stored."""


class Failure(Exception):
    """Exit status 1: the command could not do its job."""


class App:
    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        if self.settings.database_url.startswith("sqlite"):
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.settings.database_url)
        upgrade(engine)  # the embedded default keeps itself up to date
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    def close(self) -> None:
        """Return the database connections; a command's end is the edge that owns them."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
