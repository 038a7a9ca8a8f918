"""scale: indexes and aggregates for 100,000 listings and 10 million snapshots (issue 24)

Revision ID: 0006
Revises: 0005
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (index, table, columns): status counts the last hour's checks; retention asks which snapshots still name a
# blob and which snapshot an event is on
INDEXES = [
    ("ix_snapshots_fetched_at", "snapshots", ["fetched_at"]),  # `vigie status`: checks of the last hour
    ("ix_snapshots_body_sha256", "snapshots", ["body_sha256"]),
    ("ix_snapshots_screenshot_sha256", "snapshots", ["screenshot_sha256"]),
    ("ix_events_snapshot_id", "events", ["snapshot_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:  # IF NOT EXISTS: a database stamped behind its schema is caught up
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
