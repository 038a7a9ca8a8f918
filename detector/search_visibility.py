"""Search visibility rules: (previous state, one search check) -> (next state, events). Pure, like the engine.

A search watch asks a marketplace's search, for one listing, either keywords (is the offer still found where it
was?) or the offer's own id (is it indexed at all?). The watch reads the first `policy.pages` results pages and
hands over one `SearchCheck`: whether that walk was complete, and the offer's organic position in it.

- `search_dropped` (keywords): on `policy.sustained` consecutive complete checks the offer is absent from the
  first pages, or its organic rank is worse than the median of its baseline by more than `policy.rank_drop`.
  The baseline is the ranks of the last `policy.baseline_size` checks where the offer was found normally; drops
  are judged only once `policy.baseline_min` such checks exist (an offer never found has nothing to drop from).
- `not_indexed` (id query): on `policy.sustained` consecutive complete checks the id no longer finds the offer,
  which the query found before, while its product page is listed. A page not known to be listed moves nothing:
  a product page gone is the delisting path's business.
- A paid placement is no organic visibility: an offer seen only as sponsored is absent from the organic results.
- An incomplete check (a wall, an error, a partial walk, an unknown layout, a changed locale) is no answer: it
  returns the state unchanged and no event, whatever came before.
- Each drop is reported once; the offer found normally again ends it (the state says so, no event).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from detector.baseline import median
from detector.model import EventKind

# the search events are detector.model's (EventKind.SEARCH_DROPPED, EventKind.NOT_INDEXED): one list of kinds
SearchEventKind = EventKind


class Visibility(StrEnum):
    VISIBLE = "visible"
    DROPPED = "dropped"
    NOT_INDEXED = "not_indexed"


@dataclass(frozen=True)
class SearchPolicy:
    pages: int = 2            # K: the first K results pages are read; not in them is absent
    rank_drop: int = 10       # organic positions worse than the baseline median by more than this is a drop
    sustained: int = 3        # N: consecutive complete checks before an event
    baseline_size: int = 7    # ranks kept for the median
    baseline_min: int = 2     # found this many times before a drop can be judged


@dataclass(frozen=True)
class SearchCheck:
    """What one walk over the first `pages` results pages found for the watched offer."""

    complete: bool                  # every page of the walk read whole (or the results ended before page K)
    position: int | None = None     # organic rank over the walk; None: not among the organic results
    sponsored: bool = False         # seen as a paid placement (which proves no organic visibility)
    id_query: bool = False          # the query is the offer's own id (ASIN, item number, EAN)
    listing_live: bool | None = None  # the product page's confirmed outcome is `listed` (id queries only)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchState:
    status: Visibility | None = None   # last confirmed; None until the offer has been found once
    positions: tuple[int, ...] = ()    # organic ranks of recent normal sightings, oldest first
    streak: int = 0                    # consecutive complete checks that look like a drop / a lost index
    checks: int = 0                    # complete checks counted


@dataclass(frozen=True)
class SearchEvent:
    kind: SearchEventKind
    detected_at: datetime
    before: str | None = None
    after: str | None = None
    details: dict[str, str] = field(default_factory=dict, hash=False, compare=True)


def detect_search(
    state: SearchState, check: SearchCheck, *, policy: SearchPolicy, now: datetime
) -> tuple[SearchState, list[SearchEvent]]:
    """The search watch's next state and the events this check raises (usually none)."""
    check_inputs(policy, now)
    if not check.complete:
        return state, []  # no answer: nothing moves, not even a streak
    state = replace(state, checks=state.checks + 1)
    if check.id_query:
        return follow_index(state, check, policy, now)
    return follow_rank(state, check, policy, now)


def check_inputs(policy: SearchPolicy, now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("detect_search() needs a timezone-aware `now`")
    for name in ("pages", "sustained", "baseline_size", "baseline_min"):
        if getattr(policy, name) < 1:
            raise ValueError(f"{name} must be >= 1: {policy}")
    if policy.rank_drop < 0:
        raise ValueError(f"rank_drop must not be negative: {policy.rank_drop}")
    if policy.baseline_min > policy.baseline_size:
        raise ValueError(f"baseline_min cannot exceed baseline_size: {policy}")


# -- keywords: rank and presence ---------------------------------------------------------------
def follow_rank(
    state: SearchState, check: SearchCheck, policy: SearchPolicy, now: datetime
) -> tuple[SearchState, list[SearchEvent]]:
    found = check.position  # organic only: a paid placement proves no organic visibility
    reference = baseline_median(state)
    if found is not None and not worse(found, reference, policy):
        positions = (state.positions + (found,))[-policy.baseline_size:]
        return replace(state, status=Visibility.VISIBLE, positions=positions, streak=0), []
    if reference is None or len(state.positions) < policy.baseline_min:
        return replace(state, streak=0), []  # nothing to drop from yet
    state = replace(state, streak=state.streak + 1)
    if state.streak < policy.sustained or state.status is Visibility.DROPPED:
        return state, []
    event = SearchEvent(
        kind=SearchEventKind.SEARCH_DROPPED, detected_at=now,
        before=f"#{plain(reference)}", after="absent" if found is None else f"#{found}",
        details={"baseline_median": plain(reference), "checks": str(state.streak), "pages": str(policy.pages),
                 "rank_drop": str(policy.rank_drop), "sponsored_only": str(check.sponsored and found is None).lower(),
                 "reasons": "; ".join(check.reasons)},
    )
    return replace(state, status=Visibility.DROPPED), [event]


def baseline_median(state: SearchState) -> Decimal | None:
    return median(tuple(Decimal(p) for p in state.positions)) if state.positions else None


def worse(position: int, reference: Decimal | None, policy: SearchPolicy) -> bool:
    return reference is not None and Decimal(position) - reference > policy.rank_drop


# -- the offer's own id: indexed or not ---------------------------------------------------------
def follow_index(
    state: SearchState, check: SearchCheck, policy: SearchPolicy, now: datetime
) -> tuple[SearchState, list[SearchEvent]]:
    if check.position is not None or check.sponsored:
        return replace(state, status=Visibility.VISIBLE, streak=0), []
    if state.status is None or check.listing_live is not True:
        return replace(state, streak=0), []  # never found, or the page is not known live: not our question
    state = replace(state, streak=state.streak + 1)
    if state.streak < policy.sustained or state.status is Visibility.NOT_INDEXED:
        return state, []
    event = SearchEvent(
        kind=SearchEventKind.NOT_INDEXED, detected_at=now, before="indexed", after="not found by its id",
        details={"checks": str(state.streak), "pages": str(policy.pages), "listing": "listed",
                 "reasons": "; ".join(check.reasons)},
    )
    return replace(state, status=Visibility.NOT_INDEXED), [event]


def plain(value: Decimal) -> str:
    """A median rank as people write it: 4, 4.5."""
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
