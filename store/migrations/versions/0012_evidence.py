"""evidence: capture context on snapshots, RFC 3161 timestamp batches over chain heads (issue 29)

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("capture", sa.JSON(), nullable=True))
    op.create_table(
        "timestamp_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("leaf_count", sa.Integer(), nullable=False),
        sa.Column("upto_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("tsa_url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("stamped_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timestamp_batches")),
    )
    op.create_index("ix_timestamp_batches_due", "timestamp_batches", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "timestamp_leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["timestamp_batches.id"],
                                name=op.f("fk_timestamp_leaves_batch_id_timestamp_batches"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"],
                                name=op.f("fk_timestamp_leaves_listing_id_listings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timestamp_leaves")),
    )
    op.create_index("ix_timestamp_leaves_listing_seq", "timestamp_leaves", ["listing_id", "seq"], unique=False)
    op.create_index("ix_timestamp_leaves_batch_position", "timestamp_leaves", ["batch_id", "position"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_timestamp_leaves_batch_position", table_name="timestamp_leaves")
    op.drop_index("ix_timestamp_leaves_listing_seq", table_name="timestamp_leaves")
    op.drop_table("timestamp_leaves")
    op.drop_index("ix_timestamp_batches_due", table_name="timestamp_batches")
    op.drop_table("timestamp_batches")
    op.drop_column("snapshots", "capture")  # plain DROP COLUMN: a batch copy would drop a referenced table
