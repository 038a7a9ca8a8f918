from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.models import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_head_names_the_newest_migration():
    from alembic.script import ScriptDirectory

    from store.migrate import HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [HEAD]


def test_a_database_at_head_is_recognised_and_one_behind_is_upgraded(engine):
    from sqlalchemy import text

    from store.migrate import HEAD, at_head, upgrade

    assert at_head(engine)  # the fixture's database is migrated
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    assert not at_head(engine)
    with engine.begin() as connection:  # as a database of the previous release would say
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0004')"))
        connection.execute(text("ALTER TABLE listings DROP COLUMN claim_token"))
        for table in ("channel_deliveries", "channels"):  # 0007's, absent from a 0004 database
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("ALTER TABLE users DROP COLUMN lang"))  # 0013's
    upgrade(engine)
    assert at_head(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        connection.execute(text("SELECT claim_token FROM listings"))  # 0005 ran again
