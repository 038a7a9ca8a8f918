"""Recording a search walk in one transaction (issue 27): its results pages as the watch's hash-chained
snapshots, one `search_checks` row (complete or not, the offer's organic rank), the detector's verdict
(detector.search_visibility), events and outbox rows, the day's counts.

`not_indexed` needs the product page's state: the watched listing's confirmed state, read from its row.
An incomplete walk (a wall, an error, a truncated or unknown page, a next page elsewhere) moves nothing.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.outbox import enqueue
from crawler.recorder import Recorded, Recorder
from crawler.shop_walk import PageFetch, WalkResult
from crawler.targets import CheckResult
from crawler.walk_pages import store_walk_pages
from detector.model import Observation, Outcome
from detector.search_visibility import SearchCheck, SearchPolicy, SearchState, Visibility, detect_search
from spiders.results import walk_positions
from store import snapshots
from store.daily_counts import count_for_listing
from store.db import session_scope
from store.models import Event
from store.models_search import SearchCheck as CheckRow, SearchWatch


class SearchRecorder:
    def __init__(self, listings: Recorder):
        self.sessions = listings.sessions
        self.config = listings.config

    def max_pages(self, watch_id: int) -> int:
        with session_scope(self.sessions) as session:
            return session.scalar(select(SearchWatch.pages).where(SearchWatch.listing_id == watch_id)) or 1

    def record(self, result: WalkResult) -> list[tuple[CheckResult, Recorded]]:
        with session_scope(self.sessions) as session:
            return self._record(session, result)

    def _record(self, session: Session, result: WalkResult) -> list[tuple[CheckResult, Recorded]]:
        watch = session.get(SearchWatch, result.target.listing_id)
        if watch is None:
            raise LookupError(f"search watch {result.target.listing_id} vanished during its check")
        target = watch.target
        now = result.pages[-1].fetched_at if result.pages else result.started_at
        if not watch.watched.active:  # the listing looked for was removed: its searches stop with it
            target.active, target.claim_token = False, None
            why = f"listing {watch.watched_id} is no longer watched: this search watch stops"
            stopped = Observation(Outcome.ERROR, title=target.label, reasons=(why,))
            return [(CheckResult(target=result.target, observation=stopped, fetched_at=now),
                     Recorded(target.id, 0, Outcome.ERROR.value, ()))]
        first_seq, _ = snapshots.last_link(session, target.id)
        snapshot_ids = store_walk_pages(session, target.id, result.pages, title="search results page {number}",
                                        outcome=_page_outcome)
        check = search_check(result, watch.product_ref, id_query=watch.id_query,
                             listing_live=watch.watched.state == Outcome.LISTED.value)
        saved = dict(target.detector_state or {})
        before = state_from_dict(saved)
        state, found = detect_search(before, check, policy=watch_policy(watch, self.config.confirmations), now=now)
        kinds = []
        for event in found:
            row = Event(listing_id=target.id, snapshot_id=snapshot_ids[-1] if snapshot_ids else None,
                        kind=event.kind.value, detected_at=event.detected_at, before=event.before, after=event.after,
                        details={**event.details, "query": watch.query, "listing_id": str(watch.watched_id),
                                 "product_ref": watch.product_ref, "last_seen": saved.get("last_seen") or "",
                                 "product_url": watch.watched.canonical_url,
                                 "product_label": watch.watched.label or watch.watched.canonical_url})
            session.add(row)
            session.flush()
            enqueue(session, row, now=now, default_lang=self.config.lang)
            kinds.append(row.kind)
        seq, head = snapshots.last_link(session, target.id)
        previous = session.scalar(select(CheckRow.seq).where(CheckRow.watch_id == watch.listing_id)
                                  .order_by(CheckRow.seq.desc()).limit(1)) or 0
        totals = [p.read.total_results for p in result.pages if p.read.total_results is not None]
        session.add(CheckRow(watch_id=watch.listing_id, seq=previous + 1, checked_at=now, complete=check.complete,
                             pages=len(result.pages), position=check.position if check.complete else None,
                             sponsored=check.sponsored, total_results=totals[0] if totals else None,
                             reasons=list(check.reasons), first_seq=first_seq + 1 if snapshot_ids else None,
                             last_seq=seq if snapshot_ids else None, chain_hash=head))
        outcome = _outcome(result, check)
        count_for_listing(session, target.id, checks=[(now, outcome.value)],
                          events=[(event.detected_at, event.kind.value) for event in found])
        saved.update(state_to_dict(state))
        if check.complete:
            saved["last_position"] = check.position
            if state.status is Visibility.VISIBLE and state.streak == 0:
                saved["last_seen"] = now.isoformat()
        target.detector_state = saved
        target.state = outcome.value if check.complete else target.state
        target.last_checked_at = now
        target.claim_token = None
        target.next_check_at = now + timedelta(seconds=target.every_seconds)
        session.flush()
        line = CheckResult(target=result.target, fetched_at=now,
                           observation=Observation(outcome, title=target.label, reasons=check.reasons),
                           final_url=result.pages[-1].final_url if result.pages else None,
                           http_status=result.pages[0].http_status if result.pages else None)
        return [(line, Recorded(target.id, snapshot_ids[-1] if snapshot_ids else 0, outcome.value, tuple(kinds)))]


def watch_policy(watch: SearchWatch, confirmations: int) -> SearchPolicy:
    """The detector's policy for this watch: its pages, and its own drop threshold when it has one."""
    policy = SearchPolicy(pages=watch.pages, sustained=confirmations)
    return policy if watch.drop_threshold is None else replace(policy, rank_drop=watch.drop_threshold)


def search_check(result: WalkResult, product_ref: str, *, id_query: bool, listing_live: bool | None) -> SearchCheck:
    """The walk as the detector sees it: complete only if every page fetched was read whole."""
    reasons = [f"page {p.number}: {reason}" for p in result.pages if not p.read.complete for reason in p.read.reasons]
    if result.stopped:
        reasons.append(result.stopped)
    if not result.pages:
        reasons.append("no page fetched")
    items = walk_positions(p.read for p in result.pages)
    wanted = product_ref.casefold()
    organic = [i.position for i in items if i.id.casefold() == wanted and not i.sponsored]
    sponsored = any(i.id.casefold() == wanted and i.sponsored for i in items)
    return SearchCheck(complete=not reasons, position=organic[0] if organic else None, sponsored=sponsored,
                       id_query=id_query, listing_live=listing_live, reasons=tuple(reasons))


def state_to_dict(state: SearchState) -> dict:
    return {"status": state.status.value if state.status else None, "positions": list(state.positions),
            "streak": state.streak, "checks": state.checks}


def state_from_dict(data: dict) -> SearchState:
    status = data.get("status")
    return SearchState(status=Visibility(status) if status else None, positions=tuple(data.get("positions") or ()),
                       streak=int(data.get("streak") or 0), checks=int(data.get("checks") or 0))


def _page_outcome(page: PageFetch) -> Outcome:
    if page.read.complete:
        return Outcome.LISTED
    return Outcome.BLOCKED if any(r.startswith("blocked") for r in page.read.reasons) else Outcome.ERROR


def _outcome(result: WalkResult, check: SearchCheck) -> Outcome:
    if check.complete:
        return Outcome.LISTED
    return Outcome.BLOCKED if any(_page_outcome(p) is Outcome.BLOCKED for p in result.pages) else Outcome.ERROR
