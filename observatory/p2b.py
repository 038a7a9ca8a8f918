"""The P2B timeline of one restriction (Regulation (EU) 2019/1150, Art. 4).

Pure: snapshots, the event and what the seller recorded in, a timeline out. Vigie only sees the
restriction between two checks, so "the restriction" is dated by the first check that saw it
(the earliest moment the evidence proves it); the last check that still saw the listing bounds
it from below, and both are shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from said import N_, Text

RESTRICTIONS = {"delisted": "gone", "offer_gone": "offer_gone"}
# storefront events (detector.shop) carry their own dates: when the offer was last seen in the storefront,
# when the storefront was first seen gone; their snapshots are storefront pages, not the offer's page
# search watches (crawler.search_recorder) likewise: when the offer was last found by the query
DATED_BY_DETAILS = {"shop_offer_missing": "last_seen", "shop_gone": "gone_since",
                    "search_dropped": "last_seen", "not_indexed": "last_seen"}
NOTICE_DAYS = 30


@dataclass(frozen=True)
class Statement:
    received_on: date | None
    account_termination: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Timeline:
    event_id: int
    kind: str
    detected_at: datetime
    last_seen_listed: datetime | None
    first_seen_missing: datetime | None
    confirmations: tuple[datetime, ...]
    statement: Statement | None
    art4_1: str | None  # "before or at the restriction", "after the restriction", None without a date
    art4_2: str | None  # for account terminations: notice given or not
    notice_days: int | None

    @property
    def restricted_on(self) -> date | None:
        return self.first_seen_missing.date() if self.first_seen_missing else self.detected_at.date()


def is_restriction(kind: str) -> bool:
    return kind in RESTRICTIONS or kind in DATED_BY_DETAILS


def timeline(snapshots: Sequence[Any], event: Any, statement: Statement | None) -> Timeline:
    """`snapshots` oldest first (rows or anything with seq, id, fetched_at, outcome)."""
    if event.kind in DATED_BY_DETAILS:
        return _storefront_timeline(snapshots, event, statement)
    missing = RESTRICTIONS[event.kind]
    upto = [s for s in snapshots if s.fetched_at <= event.detected_at]
    if event.snapshot_id is not None:
        last = _seq_of(snapshots, event.snapshot_id, default=upto)  # once: per snapshot, it made this quadratic
        upto = [s for s in snapshots if s.seq <= last]
    run: list[Any] = []
    last_listed = None
    for snapshot in upto:
        if snapshot.outcome == missing:
            run.append(snapshot)
        elif snapshot.outcome in ("listed", "unavailable"):
            last_listed, run = snapshot, []
        # blocked and error checks say nothing: they neither break nor extend the run
    first_missing = run[0].fetched_at if run else None
    return _judged(event, statement, last_listed.fetched_at if last_listed else None, first_missing,
                   tuple(s.fetched_at for s in run))


def _judged(event: Any, statement: Statement | None, last_listed: datetime | None, first_missing: datetime | None,
            confirmations: tuple[datetime, ...]) -> Timeline:
    art4_1 = art4_2 = None
    notice_days = None
    restricted_on = first_missing.date() if first_missing else event.detected_at.date()
    if statement is not None and statement.received_on is not None:
        notice_days = (restricted_on - statement.received_on).days
        # said.Text: English in p2b.json, the reader's language on a page and in the report
        art4_1 = Text(N_("before or at the restriction") if notice_days >= 0 else N_("after the restriction"))
        if statement.account_termination or event.kind == "shop_gone":
            art4_2 = (Text(N_("%(days)s days' notice given"), days=NOTICE_DAYS) if notice_days >= NOTICE_DAYS
                      else Text(N_("less than %(days)s days' notice"), days=NOTICE_DAYS))
    return Timeline(event_id=event.id, kind=event.kind, detected_at=event.detected_at, last_seen_listed=last_listed,
                    first_seen_missing=first_missing, confirmations=confirmations, statement=statement,
                    art4_1=art4_1, art4_2=art4_2, notice_days=notice_days)


def _storefront_timeline(snapshots: Sequence[Any], event: Any, statement: Statement | None) -> Timeline:
    """An offer hidden from the storefront: last seen there (the detector's date), first missing on the first
    storefront page read whole after it. A storefront gone: first seen gone (the detector's date), last read
    whole before it. Walls and errors in between say nothing, as for listings."""
    raw = (event.details or {}).get(DATED_BY_DETAILS[event.kind])
    dated = datetime.fromisoformat(raw) if raw else None
    read = [s for s in snapshots if s.outcome == "listed" and s.fetched_at <= event.detected_at]
    if event.kind == "shop_gone":
        before = [s for s in read if dated is None or s.fetched_at < dated]
        gone = [s.fetched_at for s in snapshots if s.outcome == "gone" and s.fetched_at <= event.detected_at]
        return _judged(event, statement, before[-1].fetched_at if before else None, dated, tuple(gone))
    after = [s.fetched_at for s in read if dated is not None and s.fetched_at > dated]
    return _judged(event, statement, dated, after[0] if after else None, tuple(after))


def _seq_of(snapshots: Sequence[Any], snapshot_id: int, default: Sequence[Any]) -> int:
    for snapshot in snapshots:
        if snapshot.id == snapshot_id:
            return snapshot.seq
    return default[-1].seq if default else 0


def timeline_json(line: Timeline) -> dict[str, Any]:
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "event_id": line.event_id,
        "kind": line.kind,
        "detected_at": iso(line.detected_at),
        "last_seen_listed": iso(line.last_seen_listed),
        "first_seen_missing": iso(line.first_seen_missing),
        "confirmations": [iso(c) for c in line.confirmations],
        "statement_received_on": iso(line.statement.received_on) if line.statement else None,
        "account_termination": line.statement.account_termination if line.statement else False,
        "art4_1": line.art4_1,
        "art4_2": line.art4_2,
        "notice_days": line.notice_days,
    }
