"""search watch threshold: how many organic positions worse than its baseline median is a drop, per watch (issue 27)

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: the detector's default (detector.search_visibility.SearchPolicy.rank_drop)
    op.add_column("search_watches", sa.Column("drop_threshold", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("search_watches", "drop_threshold")
