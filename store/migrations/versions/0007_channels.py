"""channels: an account's delivery channels (email, Apprise URL, signed webhook) and their outbox (issue 28)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("shown", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_channels_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
    )
    op.create_index(op.f("ix_channels_account_id"), "channels", ["account_id"], unique=False)
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=100), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_channel_deliveries_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"],
                                name=op.f("fk_channel_deliveries_channel_id_channels"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_deliveries")),
        sa.UniqueConstraint("event_id", "channel_id", name=op.f("uq_channel_deliveries_event_id")),
        sa.UniqueConstraint("webhook_id", name=op.f("uq_channel_deliveries_webhook_id")),
    )
    op.create_index("ix_channel_deliveries_due", "channel_deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_channel_deliveries_channel_id"), "channel_deliveries", ["channel_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_channel_deliveries_channel_id"), table_name="channel_deliveries")
    op.drop_index("ix_channel_deliveries_due", table_name="channel_deliveries")
    op.drop_table("channel_deliveries")
    op.drop_index(op.f("ix_channels_account_id"), table_name="channels")
    op.drop_table("channels")
