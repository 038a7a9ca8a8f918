"""listing reports: the seller's references on a listing and the report it came from; an account's report sites
(issue 26)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("seller_sku", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("offer_ref", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("ean", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("report_scope", sa.String(length=60), nullable=True))
    op.create_index("ix_listings_report_scope", "listings", ["account_id", "report_scope"], unique=False)
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("report_sites", sa.JSON(), nullable=True))
    _search_index(SEARCHED)


def _search_index(columns: tuple[str, ...]) -> None:
    """PostgreSQL's trigram index of the listing search (0008), on store.models.search_text's expression: the
    seller's references join what the search looks in."""
    if op.get_bind().dialect.name != "postgresql":
        return
    searched = " || ' | ' || ".join(f"coalesce({column}, '')" for column in columns)
    op.execute("DROP INDEX IF EXISTS ix_listings_search_trgm")
    op.execute(f"CREATE INDEX ix_listings_search_trgm ON listings USING gin (({searched}) gin_trgm_ops)")


SEARCHED_BEFORE = ("canonical_url", "label", "seller", "marketplace_ref")  # 0008's
SEARCHED = (*SEARCHED_BEFORE, "seller_sku", "offer_ref", "ean")  # store.models.SEARCHED


def downgrade() -> None:
    _search_index(SEARCHED_BEFORE)
    # plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of accounts or listings would drop a table that
    # other tables' foreign keys name, which SQLite refuses while they are enforced
    op.drop_column("accounts", "report_sites")
    op.drop_index("ix_listings_report_scope", table_name="listings")
    for column in ("report_scope", "ean", "offer_ref", "seller_sku"):
        op.drop_column("listings", column)
