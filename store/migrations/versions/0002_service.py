"""the always-on service (issue 5)

Revision ID: 0002
Revises: 0001
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import store.types  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("alert_mode", sa.String(length=12), nullable=False, server_default="immediate"))
    op.create_table(
        "operator_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("marketplace", sa.String(length=40), nullable=False),
        sa.Column("blocked_since", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_checks", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_alerts")),
        sa.UniqueConstraint("marketplace", "blocked_since", name=op.f("uq_operator_alerts_marketplace")),
        sa.UniqueConstraint("message_id", name=op.f("uq_operator_alerts_message_id")),
    )


def downgrade() -> None:
    op.drop_table("operator_alerts")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("alert_mode")
