"""fee schedules and abrupt-change rules (issue 6)

Revision ID: 0003
Revises: 0002
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import store.types  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


COLUMNS = ("price_absolute_threshold", "price_baseline", "revert_is_glitch")


def upgrade() -> None:
    for table in ("accounts", "listings"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("price_absolute_threshold", store.types.Money(length=40), nullable=True))
            batch.add_column(sa.Column("price_baseline", sa.String(length=20), nullable=True))
            batch.add_column(sa.Column("revert_is_glitch", sa.Boolean(), nullable=True))


def downgrade() -> None:
    for table in ("listings", "accounts"):
        with op.batch_alter_table(table) as batch:
            for column in reversed(COLUMNS):
                batch.drop_column(column)
