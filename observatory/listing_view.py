"""What one listing's page shows, read in bounded pieces: a listing checked every few minutes for years has
hundreds of thousands of snapshots, and its page must not load them.

- the snapshot table: a keyset page, newest first (`seq < :cursor ORDER BY seq DESC`), its hash chain
  re-walked from the snapshot before it (the whole chain is verified by `vigie verify-evidence` on a bundle);
- the states over time: runs of equal outcomes folded by the database (gaps and islands), the newest RUNS;
- the chart: the newest CHART_POINTS priced checks; the events: the newest EVENTS, each with its snapshot's seq (older ones: /events?listing_id=, paged);
- the P2B timelines of the newest TIMELINES restrictions, each from the TIMELINE_CHECKS checks up to its event
  (enough to reach back to the last listed one).
The number of statements depends on none of the counts (a test counts them), only on the restrictions shown.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from observatory import p2b
from observatory.chart import Chart, build as build_chart
from observatory.history import StateRun, diff
from observatory.snapshot_fields import readable
from observatory.i18n import FALLBACK, Ui, load_catalogues, ui_for
from observatory.queries import PAGE_ROWS, Page, decode_cursor, encode_cursor
from store import blobs
from store.models import Event, Snapshot
from store.models_observatory import StatementOfReasons
from store.snapshots import verify_chain

RUNS, CHART_POINTS, EVENTS, TIMELINE_CHECKS, TIMELINES = 100, 500, 100, 200, 20


def newest_snapshots(session: Session, listing_id: int, *, cursor: str | None = None,
                     limit: int = PAGE_ROWS) -> Page[Snapshot]:
    """One page of a listing's snapshots, newest first, before `cursor` (a Page.next)."""
    query = select(Snapshot).where(Snapshot.listing_id == listing_id)
    if cursor is not None:
        (before,) = decode_cursor(cursor, int)
        query = query.where(Snapshot.seq < before)
    rows = session.scalars(query.order_by(Snapshot.seq.desc()).limit(limit + 1)).all()
    return Page(rows[:limit], encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None)


def chain_problems(session: Session, listing_id: int, page: Sequence[Snapshot]) -> list[str]:
    """The page's snapshots re-walked oldest first, from the chain hash of the snapshot just before them."""
    if not page:
        return []
    oldest = min(s.seq for s in page)
    before = session.scalar(select(Snapshot.chain_hash).where(Snapshot.listing_id == listing_id,
                                                              Snapshot.seq < oldest)
                            .order_by(Snapshot.seq.desc()).limit(1))
    return verify_chain(sorted(page, key=lambda s: s.seq), after=before)


def state_runs(session: Session, listing_id: int, *, limit: int = RUNS) -> list[StateRun]:
    """The newest `limit` runs of equal outcomes, oldest first: consecutive seqs of one outcome share
    `seq - row_number() OVER (PARTITION BY outcome ORDER BY seq)`, so the database folds them."""
    numbered = select(Snapshot.outcome, Snapshot.fetched_at, Snapshot.seq,
                      (Snapshot.seq - func.row_number().over(partition_by=Snapshot.outcome, order_by=Snapshot.seq))
                      .label("island")).where(Snapshot.listing_id == listing_id).subquery()
    rows = session.execute(
        select(numbered.c.outcome, func.min(numbered.c.fetched_at), func.max(numbered.c.fetched_at), func.count(),
               func.min(numbered.c.seq).label("first"))
        .group_by(numbered.c.outcome, numbered.c.island).order_by(func.min(numbered.c.seq).desc()).limit(limit)).all()
    return [StateRun(outcome, since, until, checks) for outcome, since, until, checks, _ in reversed(rows)]


def chart(session: Session, listing_id: int, events: Sequence[Event] = (), ui: Ui | None = None, *,
          points: int = CHART_POINTS) -> Chart:
    rows = session.execute(
        select(Snapshot.fetched_at, Snapshot.price, Snapshot.shipping_fee, Snapshot.currency)
        .where(Snapshot.listing_id == listing_id, or_(Snapshot.price.is_not(None), Snapshot.shipping_fee.is_not(None)))
        .order_by(Snapshot.seq.desc()).limit(points)).all()
    return build_chart(list(reversed(rows)), events, ui)


def events_with_seq(session: Session, listing_id: int, *,
                    limit: int = EVENTS) -> tuple[list[Event], dict[int, int], bool]:
    """The newest `limit` events, oldest first, the seq of the snapshot each was found on (by event id), and
    whether older ones exist (the page then links to the listing's paged events)."""
    rows = session.execute(
        select(Event, Snapshot.seq).outerjoin(Snapshot, Snapshot.id == Event.snapshot_id)
        .where(Event.listing_id == listing_id).order_by(Event.detected_at.desc(), Event.id.desc())
        .limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    rows.reverse()
    return [event for event, _ in rows], {event.id: seq for event, seq in rows if seq is not None}, more


def statements(session: Session, listing_id: int) -> dict[int, p2b.Statement]:
    """The statements of reasons the seller recorded, by event id."""
    rows = session.scalars(select(StatementOfReasons).where(StatementOfReasons.listing_id == listing_id))
    return {r.event_id: p2b.Statement(r.received_on, r.account_termination, r.note) for r in rows}


def timelines(session: Session, listing_id: int, *, limit: int | None = TIMELINES) -> list[p2b.Timeline]:
    """The P2B timelines of the listing's newest `limit` restrictions (None: all, for evidence bundles; whatever
    number of other events came after them), oldest first, each from one bounded read of the checks up to it."""
    rows = session.execute(
        select(Event, Snapshot.seq).outerjoin(Snapshot, Snapshot.id == Event.snapshot_id)
        .where(Event.listing_id == listing_id, Event.kind.in_((*p2b.RESTRICTIONS, *p2b.DATED_BY_DETAILS)))
        .order_by(Event.detected_at.desc(), Event.id.desc()).limit(limit)).all()
    if not rows:
        return []
    recorded = statements(session, listing_id)
    lines = []
    for event, seq in reversed(rows):
        query = select(Snapshot.id, Snapshot.seq, Snapshot.fetched_at, Snapshot.outcome).where(
            Snapshot.listing_id == listing_id)
        query = query.where(Snapshot.seq <= seq) if seq is not None else \
            query.where(Snapshot.fetched_at <= event.detected_at)
        upto = list(reversed(session.execute(query.order_by(Snapshot.seq.desc()).limit(TIMELINE_CHECKS)).all()))
        lines.append(p2b.timeline(upto, event, recorded.get(event.id)))
    return lines


def by_seq(session: Session, listing_id: int, seqs: set[int]) -> dict[int, Snapshot]:
    if not seqs:
        return {}
    return {s.seq: s for s in session.scalars(select(Snapshot).where(Snapshot.listing_id == listing_id,
                                                                      Snapshot.seq.in_(sorted(seqs))))}


def newest_with_body(session: Session, listing_id: int) -> Snapshot | None:
    return session.scalar(select(Snapshot).where(Snapshot.listing_id == listing_id, Snapshot.body_sha256.is_not(None))
                          .order_by(Snapshot.seq.desc()).limit(1))


def listing_context(session: Session, listing_id: int, *, cursor: str | None, limit: int, a: int | None,
                    b: int | None, seq: int | None, ui: Ui | None = None) -> dict[str, Any]:
    """The listing page's data (BadCursor for a cursor no page handed out), in the reader's language `ui`."""
    ui = ui or ui_for(load_catalogues(), FALLBACK)
    page = newest_snapshots(session, listing_id, cursor=cursor, limit=limit)
    events, seqs, older_events = events_with_seq(session, listing_id)
    picked = by_seq(session, listing_id, {n for n in (a, b, seq) if n is not None})
    shown = picked.get(seq) if seq else newest_with_body(session, listing_id)
    comparison, changes = None, []
    if a in picked and b in picked:
        left, right = picked[a], picked[b]
        comparison = diff(left, right, _body(session, left), _body(session, right))
        changes = readable(comparison, left, right, ui)
    elif cursor is None and len(page.rows) >= 2:
        a, b = page.rows[1].seq, page.rows[0].seq
    # the template lists `snapshots` newest first by reversing them, as when it had the whole history
    return {"snapshots": list(reversed(page.rows)), "snapshots_next": page.next, "events": events, "event_seq": seqs,
            "older_events": older_events,
            "runs": state_runs(session, listing_id), "chart": chart(session, listing_id, events, ui), "shown": shown,
            "a": a, "b": b, "comparison": comparison, "changes": changes, "timelines": timelines(session, listing_id),
            "chain_problems": chain_problems(session, listing_id, page.rows)}


def _body(session: Session, snapshot: Snapshot) -> bytes | None:
    return blobs.get(session, snapshot.body_sha256) if snapshot.body_sha256 else None
