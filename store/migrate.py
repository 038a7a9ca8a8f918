"""Alembic, driven from code: the CLI upgrades the embedded database on start."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).with_name("migrations")
# the newest revision in migrations/versions (tests/store/test_migrations.py keeps it true): a database
# already there is told so with one query, without loading Alembic (about 0.4 s per command)
HEAD = "0016"


# what the database has and the models do not declare, left out of Alembic's comparison (and autogenerate), with why
NOT_COMPARED = {
    "ix_listings_search_trgm": "PostgreSQL's trigram index on store.models.search_text (migration 0008): Alembic "
                               "cannot compare an index on an expression",
}


def compared(_obj, name, type_, _reflected, _compare_to) -> bool:
    """Alembic's `include_object`: everything but NOT_COMPARED."""
    return not (type_ == "index" and name in NOT_COMPARED)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no version table yet: a new database
        return False
    return versions == [HEAD]


def upgrade(engine: Engine) -> None:
    if at_head(engine):
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
