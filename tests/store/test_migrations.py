from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.models import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
