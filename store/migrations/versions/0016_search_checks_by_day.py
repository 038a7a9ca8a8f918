"""search walks by day: an index on search_checks.checked_at for the day's search budget (issue 27)

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the budget sums the pages of today's walks at each walk's start (crawler.stored_search_budget): without
    # it PostgreSQL reads every walk ever stored, one more row per walk
    op.create_index("ix_search_checks_checked_at", "search_checks", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_search_checks_checked_at", table_name="search_checks")
