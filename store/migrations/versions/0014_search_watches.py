"""search watches: a query on a marketplace's search for one listing, and its walks (issue 27)

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


SEARCH_EVENTS = ("search_dropped", "not_indexed")  # counted per day in marketplace_days (0008)


def upgrade() -> None:
    for kind in SEARCH_EVENTS:
        op.add_column("marketplace_days", sa.Column(f"event_{kind}", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "search_watches",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("watched_id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("id_query", sa.Boolean(), nullable=False),
        sa.Column("product_ref", sa.String(length=100), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("marketplace", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_search_watches_listing_id_listings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["watched_id"], ["listings.id"], name=op.f("fk_search_watches_watched_id_listings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_search_watches")),
    )
    op.create_index("ix_search_watches_watched_id", "search_watches", ["watched_id"])
    op.create_table(
        "search_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("checked_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("sponsored", sa.Boolean(), nullable=False),
        sa.Column("total_results", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=True),
        sa.Column("chain_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["watch_id"], ["search_watches.listing_id"],
                                name=op.f("fk_search_checks_watch_id_search_watches"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_checks")),
        sa.UniqueConstraint("watch_id", "seq", name=op.f("uq_search_checks_watch_id")),
    )


def downgrade() -> None:
    op.drop_table("search_checks")
    op.drop_index("ix_search_watches_watched_id", table_name="search_watches")
    op.drop_table("search_watches")
    for kind in SEARCH_EVENTS:
        op.drop_column("marketplace_days", f"event_{kind}")
