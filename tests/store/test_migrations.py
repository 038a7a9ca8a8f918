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


def test_a_database_at_head_is_recognised_and_an_older_one_is_upgraded(engine, tmp_path):
    from alembic import command
    from sqlalchemy import text

    from store.db import make_engine, sqlite_url
    from store.migrate import HEAD, alembic_config, at_head, upgrade

    assert at_head(engine)  # the fixture's database is migrated (and left so: other tests share it on PostgreSQL)
    # a database of an older release: built by the migrations up to 0004, then upgraded by what `vigie` runs
    older = make_engine(sqlite_url(tmp_path))
    try:
        config = alembic_config(older.url.render_as_string(hide_password=False))
        with older.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        assert not at_head(older)
        upgrade(older)
        assert at_head(older)
        with older.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
            connection.execute(text("SELECT claim_token FROM listings"))  # 0005 ran
    finally:
        older.dispose()
