"""channels: a channel's own alert mode, a seller's own channels, the failing episode and the notices reporting it

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("alert_mode", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_channels_user_id"), ["user_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_channels_user_id_users"), "users", ["user_id"], ["id"], ondelete="CASCADE")
        batch.add_column(sa.Column("failing_since", store.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failing_reported_at", store.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "channel_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("failing_since", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("to_channel_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_channel_notices_channel_id_channels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_channel_id"], ["channels.id"],
                                name=op.f("fk_channel_notices_to_channel_id_channels"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_notices")),
        sa.UniqueConstraint("message_id", name=op.f("uq_channel_notices_message_id")),
    )
    op.create_index("ix_channel_notices_due", "channel_notices", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_channel_notices_channel_id"), "channel_notices", ["channel_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_channel_notices_channel_id"), table_name="channel_notices")
    op.drop_index("ix_channel_notices_due", table_name="channel_notices")
    op.drop_table("channel_notices")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("failing_reported_at")
        batch.drop_column("failing_since")
        batch.drop_constraint(batch.f("fk_channels_user_id_users"), type_="foreignkey")
        batch.drop_index(batch.f("ix_channels_user_id"))
        batch.drop_column("user_id")
        batch.drop_column("alert_mode")
