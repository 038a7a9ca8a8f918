from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.models import Base


def test_models_and_migrations_agree(engine):
    from store.migrate import compared

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"include_object": compared}),
                                Base.metadata)
    assert diff == []


def test_only_the_trigram_index_is_left_out_of_the_comparison(engine):
    from sqlalchemy import inspect

    from store.migrate import NOT_COMPARED, compared

    assert list(NOT_COMPARED) == ["ix_listings_search_trgm"]
    indexes = {i["name"] for i in inspect(engine).get_indexes("listings")}
    assert ("ix_listings_search_trgm" in indexes) == (engine.dialect.name == "postgresql")
    assert all(compared(None, name, "index", True, None) for name in indexes - set(NOT_COMPARED))


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
        for table in ("marketplace_days", "channel_deliveries", "channels"):  # 0007's and 0008's, absent at 0004
            connection.execute(text(f"DROP TABLE {table}"))
    upgrade(engine)
    assert at_head(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        connection.execute(text("SELECT claim_token FROM listings"))  # 0005 ran again
