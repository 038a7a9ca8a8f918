"""marketplace_days: per-day counts of checks and events, kept at record time; trigram search (issue 24)

Revision ID: 0008
Revises: 0007

The counts of the checks and events already stored are filled in here, in one GROUP BY over snapshots and
events (at 10 million snapshots: a single pass of some tens of seconds on PostgreSQL, once). On PostgreSQL the
listing search's text gets a pg_trgm GIN index, so `ILIKE '%text%'` is served by an index; SQLite has no such
index (its LIKE reads the listings, fine at its size).
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OUTCOMES = ("listed", "unavailable", "offer_gone", "gone", "blocked", "error")
EVENT_KINDS = ("delisted", "offer_gone", "unavailable", "restored", "price_change", "shipping_fee_change",
               "seller_change", "fee_schedule_change", "monitoring_blocked")
SEARCHED = ("canonical_url", "label", "seller", "marketplace_ref")  # observatory.queries' listing search


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    op.create_table(
        "marketplace_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("marketplace", sa.String(length=40), nullable=False),
        _count("checks"), *(_count(f"outcome_{o}") for o in OUTCOMES),
        _count("events"), *(_count(f"event_{k}") for k in EVENT_KINDS),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_marketplace_days_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("day", "account_id", "marketplace", name=op.f("pk_marketplace_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    _backfill(postgresql)
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # store.models.search_text: the one expression the search filters on
        searched = " || ' | ' || ".join(f"coalesce({column}, '')" for column in SEARCHED)
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_listings_search_trgm ON listings USING gin (({searched}) gin_trgm_ops)")


def _backfill(postgresql: bool) -> None:
    day = (lambda c: f"date(timezone('UTC', {c}))") if postgresql else (lambda c: f"date({c})")
    zero = lambda names: ", ".join(f"0 AS {n}" for n in names)  # noqa: E731
    outcomes = [f"outcome_{o}" for o in OUTCOMES]
    kinds = [f"event_{k}" for k in EVENT_KINDS]
    counts = ["checks", *outcomes, "events", *kinds]
    op.execute(
        f"INSERT INTO marketplace_days (day, account_id, marketplace, {', '.join(counts)}) "
        f"SELECT day, account_id, marketplace, {', '.join(f'sum({c})' for c in counts)} FROM ("
        f"SELECT {day('s.fetched_at')} AS day, l.account_id, l.marketplace, 1 AS checks, "
        + ", ".join(f"CASE WHEN s.outcome = '{o}' THEN 1 ELSE 0 END AS outcome_{o}" for o in OUTCOMES)
        + f", 0 AS events, {zero(kinds)} FROM snapshots s JOIN listings l ON l.id = s.listing_id "
        f"UNION ALL SELECT {day('e.detected_at')}, l.account_id, l.marketplace, 0, {zero(outcomes)}, 1, "
        + ", ".join(f"CASE WHEN e.kind = '{k}' THEN 1 ELSE 0 END" for k in EVENT_KINDS)
        + " FROM events e JOIN listings l ON l.id = e.listing_id"
        ") AS counted GROUP BY day, account_id, marketplace")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_listings_search_trgm", table_name="listings", if_exists=True)
    op.drop_table("marketplace_days")
