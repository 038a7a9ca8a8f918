"""shops: storefront watches and their walks (issue 26, part 2)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


SHOP_EVENTS = ("shop_offer_missing", "shop_offer_new", "shop_gone")  # counted per day in marketplace_days (0008)


def upgrade() -> None:
    for kind in SHOP_EVENTS:
        op.add_column("marketplace_days", sa.Column(f"event_{kind}", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "shops",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("seller_ref", sa.String(length=200), nullable=True),
        sa.Column("register_new", sa.Boolean(), nullable=False),
        sa.Column("max_pages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_shops_listing_id_listings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_shops")),
    )
    op.create_table(
        "shop_passes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("started_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=True),
        sa.Column("chain_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.listing_id"], name=op.f("fk_shop_passes_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_passes")),
        sa.UniqueConstraint("shop_id", "seq", name=op.f("uq_shop_passes_shop_id")),
    )


def downgrade() -> None:
    for kind in SHOP_EVENTS:
        op.drop_column("marketplace_days", f"event_{kind}")
    op.drop_table("shop_passes")
    op.drop_table("shops")
