"""Every read of the observatory, scoped by who asks: a seller's queries carry their account."""
from __future__ import annotations

import base64
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, Sequence, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from observatory.accounts import Viewer
from observatory.ids import MAX_ID
from store.models import Account, Event, Listing, Snapshot, search_text
from store.models_daily import MarketplaceDay
from store.utc_day import as_date
from vigie.registration import normal_account_name

FEE_KINDS = ("shipping_fee_change", "fee_schedule_change")
PAGE_ROWS, MAX_PAGE_ROWS = 100, 500
BAD_CURSOR = "this cursor is not one a page of Vigie's handed out: start again from the first page"
T = TypeVar("T")


class BadCursor(ValueError):
    """A `cursor` that no page of Vigie's handed out."""


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    next: str | None  # the cursor of the following page; None on the last


def encode_cursor(*values: str | int) -> str:
    """The keyset position after a page's last row, as an opaque URL-safe token."""
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).rstrip(b"=").decode()


def decode_cursor(token: str, *types: type) -> tuple[Any, ...]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        values = None
    if (not isinstance(values, list) or len(values) != len(types)
            or not all(type(v) is t for v, t in zip(values, types))
            or any(t is int and not 0 <= v <= MAX_ID for v, t in zip(values, types))):
        raise BadCursor(BAD_CURSOR)
    return tuple(values)


@dataclass(frozen=True)
class ListingFilter:
    marketplace: str | None = None
    state: str | None = None
    account: str | None = None
    search: str | None = None
    include_removed: bool = False


def scoped_listings(viewer: Viewer) -> Select[Any]:
    query = select(Listing)
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    return query


def visible_listing(session: Session, viewer: Viewer, listing_id: int) -> Listing | None:
    """The listing if this viewer may read it; None otherwise (a stranger's listing looks missing)."""
    return session.scalar(scoped_listings(viewer).where(Listing.id == listing_id))


def _contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its own % and _ taken literally."""
    return "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered_listings(viewer: Viewer, wanted: ListingFilter) -> Select[Any]:
    query = scoped_listings(viewer)
    if not wanted.include_removed:
        query = query.where(Listing.active.is_(True))
    if wanted.marketplace:
        query = query.where(Listing.marketplace == wanted.marketplace)
    if wanted.state:
        query = query.where(Listing.state.is_(None) if wanted.state == "unknown" else Listing.state == wanted.state)
    if wanted.account:
        query = query.join(Account).where(Account.name == normal_account_name(wanted.account))
    if wanted.search:
        # ILIKE on PostgreSQL, served by the pg_trgm index on this very expression; lower() LIKE on SQLite
        query = query.where(search_text(Listing).ilike(_contains(wanted.search), escape="\\"))
    return query


def listings_page(session: Session, viewer: Viewer, wanted: ListingFilter = ListingFilter(), *,
                  cursor: str | None = None, limit: int = PAGE_ROWS) -> Page[Listing]:
    """One page of listings by id, after `cursor` (a Page.next); accounts and recipients loaded with it."""
    query = _filtered_listings(viewer, wanted).options(selectinload(Listing.account),
                                                       selectinload(Listing.recipients))
    if cursor is not None:
        (after,) = decode_cursor(cursor, int)
        query = query.where(Listing.id > after)
    rows = session.scalars(query.order_by(Listing.id).limit(limit + 1)).all()
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id) if len(rows) > limit else None)


def listing_count(session: Session, viewer: Viewer) -> int:
    query = _filtered_listings(viewer, ListingFilter())
    return session.scalar(query.with_only_columns(func.count(Listing.id)).order_by(None)) or 0


def events_page(session: Session, viewer: Viewer, *, listing_id: int | None = None, kind: str | None = None,
                since: datetime | None = None, cursor: str | None = None, limit: int = PAGE_ROWS) -> Page[Event]:
    """One page of events, newest first, after `cursor`; each with its listing."""
    query = select(Event).join(Listing).options(selectinload(Event.listing))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    if listing_id is not None:
        query = query.where(Event.listing_id == listing_id)
    if kind:
        query = query.where(Event.kind == kind)
    if since is not None:
        query = query.where(Event.detected_at >= since)
    if cursor is not None:
        at, after = decode_cursor(cursor, str, int)
        try:
            at = datetime.fromisoformat(at)
            at = at.astimezone(UTC) if at.tzinfo else None
        except (ValueError, OverflowError):
            at = None
        if at is None:
            raise BadCursor(BAD_CURSOR)
        query = query.where(or_(Event.detected_at < at, and_(Event.detected_at == at, Event.id < after)))
    rows = session.scalars(query.order_by(Event.detected_at.desc(), Event.id.desc()).limit(limit + 1)).all()
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(rows[:limit], encode_cursor(last.detected_at.isoformat(), last.id) if last else None)


def events(session: Session, viewer: Viewer, *, limit: int = 10, **wanted: Any) -> Sequence[Event]:
    return events_page(session, viewer, limit=limit, **wanted).rows


def snapshots_page(session: Session, listing_id: int, *, cursor: str | None = None,
                   limit: int = PAGE_ROWS) -> Page[Snapshot]:
    """One page of a listing's snapshots, oldest first."""
    query = select(Snapshot).where(Snapshot.listing_id == listing_id)
    if cursor is not None:
        (after,) = decode_cursor(cursor, int)
        query = query.where(Snapshot.seq > after)
    rows = session.scalars(query.order_by(Snapshot.seq).limit(limit + 1)).all()
    return Page(rows[:limit], encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None)


def facets(session: Session, viewer: Viewer) -> dict[str, list[str]]:
    """The values the listing filters offer."""
    rows = session.execute(scoped_listings(viewer).with_only_columns(Listing.marketplace, Listing.state)
                           .distinct()).all()
    accounts: list[str] = []
    if viewer.reads_everything:
        accounts = list(session.scalars(select(Account.name).order_by(Account.name)))
    return {"marketplaces": sorted({r.marketplace for r in rows}),
            "states": sorted({r.state or "unknown" for r in rows}), "accounts": accounts}


@dataclass(frozen=True)
class WeekRow:
    marketplace: str
    week: str  # ISO week, e.g. 2026-W10
    delistings: int
    offers_gone: int
    fee_changes: int
    checks: int
    blocked: int
    search_drops: int = 0  # search_dropped and not_indexed (issue 27)

    @property
    def blocked_rate(self) -> str:
        return f"{100 * self.blocked // self.checks}%" if self.checks else "—"


def _week(at: date | datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


DASHBOARD_WEEKS = 5


def dashboard_since(now: datetime, weeks: int = DASHBOARD_WEEKS) -> datetime:
    """The Monday (00:00 UTC) that starts the dashboard's window: this ISO week and the `weeks - 1` before it."""
    monday = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday(), weeks=weeks - 1)
    return datetime.combine(monday, time(), tzinfo=UTC)


def dashboard(session: Session, viewer: Viewer, *, now: datetime, weeks: int = DASHBOARD_WEEKS) -> list[WeekRow]:
    """Delistings, offers gone, fee changes, the blocked rate and search drops, per marketplace and ISO week.

    Read from the per-day counts kept as checks are recorded (store.models_daily): a range of its primary key
    (day first) summed per marketplace and day, a few hundred rows whatever the number of snapshots, which are
    never read here."""
    since = dashboard_since(now, weeks)
    scope = [] if viewer.reads_everything else [MarketplaceDay.account_id == viewer.account_id]
    day = MarketplaceDay
    query = (select(day.marketplace, day.day, func.sum(day.event_delisted), func.sum(day.event_offer_gone),
                    func.sum(day.event_shipping_fee_change + day.event_fee_schedule_change), func.sum(day.checks),
                    func.sum(day.outcome_blocked), func.sum(day.event_search_dropped + day.event_not_indexed))
             .where(day.day >= since.date(), *scope).group_by(day.marketplace, day.day))
    weekly: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for marketplace, on, *numbers in session.execute(query):
        totals = weekly[(marketplace, _week(as_date(on)))]
        for i, number in enumerate(numbers):
            totals[i] += int(number or 0)
    return [WeekRow(m, w, *totals) for (m, w), totals in
            sorted(weekly.items(), key=lambda item: (item[0][1], item[0][0]), reverse=True)]
