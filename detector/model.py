"""The vocabulary shared by page objects, the detector and the store.

Plain frozen dataclasses and string enums: the detector depends on nothing else of ours,
and everything else may depend on this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # detector.fees builds Events from this module, so it cannot be imported at run time here
    from detector.fees import FeeSchedule


class Outcome(StrEnum):
    """What one check saw (DESIGN.md, "Outcome of one check")."""

    LISTED = "listed"
    UNAVAILABLE = "unavailable"
    OFFER_GONE = "offer_gone"
    GONE = "gone"
    BLOCKED = "blocked"
    ERROR = "error"

    @property
    def says_something(self) -> bool:
        """Blocked and error pages say nothing about the listing."""
        return self not in (Outcome.BLOCKED, Outcome.ERROR)


class EventKind(StrEnum):
    DELISTED = "delisted"
    OFFER_GONE = "offer_gone"
    UNAVAILABLE = "unavailable"
    RESTORED = "restored"
    PRICE_CHANGE = "price_change"
    SHIPPING_FEE_CHANGE = "shipping_fee_change"
    SELLER_CHANGE = "seller_change"
    FEE_SCHEDULE_CHANGE = "fee_schedule_change"
    MONITORING_BLOCKED = "monitoring_blocked"
    # a seller's storefront (detector.shop)
    SHOP_OFFER_MISSING = "shop_offer_missing"  # gone from the storefront while its product page stays: hidden
    SHOP_OFFER_NEW = "shop_offer_new"
    SHOP_GONE = "shop_gone"  # the storefront is gone or emptied: a suspension or a closure
    # a search watch (detector.search_visibility)
    SEARCH_DROPPED = "search_dropped"  # the offer left the first result pages of a query, or sank, its page live
    NOT_INDEXED = "not_indexed"  # its own id no longer finds it while its product page is listed


@dataclass(frozen=True)
class Offer:
    """One seller's offer on a page that lists several, or one variant's offer of a multi-variant product
    (kept in the snapshot so a size selling out shows in history without being a delisting)."""

    seller: str | None
    price: Decimal | None = None
    currency: str | None = None
    shipping_fee: Decimal | None = None
    available: bool | None = None
    variant: str | None = None  # which size/colour/SKU of the product this offer is, on multi-variant pages


@dataclass(frozen=True)
class Observation:
    """What a page object read from one response. Prices are Decimal, never float."""

    outcome: Outcome
    price: Decimal | None = None
    currency: str | None = None
    shipping_fee: Decimal | None = None
    seller: str | None = None  # seller of the main offer (the buy box where there is one)
    title: str | None = None
    availability: str | None = None  # schema.org-style word: InStock, OutOfStock, PreOrder, ...
    offers: tuple[Offer, ...] = ()
    reasons: tuple[str, ...] = ()  # why this outcome, and what could not be read
    fee_schedule: FeeSchedule | None = None  # a marketplace fee page's schedule, normalised


@dataclass(frozen=True)
class Policy:
    """Per listing knobs of the detector; built from settings and account overrides at the edge."""

    confirmations: int = 2
    price_threshold: Decimal = Decimal("0.10")  # relative change against the baseline
    baseline_window: int = 5  # median of the last N listed observations
    blocked_alert_after: int = 6  # consecutive blocked/error checks before monitoring_blocked
    track_seller: str | None = None  # the SME's own seller name, for seller_change
    absolute_threshold: Decimal | None = None  # also abrupt: a move larger than this amount
    baseline: str = "median_n"  # detector.baseline.BaselineKind: last, median_n, median_3d, median_7d
    revert_is_glitch: bool = True  # a jump must be seen twice: one that reverts at the next check is a glitch
    fee_notice_days: int = 15  # P2B Art. 3(2): minimum notice of a change of terms


@dataclass(frozen=True)
class ListingState:
    """What the detector remembers about a listing between two checks."""

    status: Outcome | None = None  # last confirmed: listed / unavailable / offer_gone / gone
    pending: Outcome | None = None  # a gone/offer_gone seen but not yet confirmed
    pending_count: int = 0
    prices: tuple[Decimal, ...] = ()  # recent listed prices, oldest first (baseline window)
    shipping_fees: tuple[Decimal, ...] = ()
    currency: str | None = None
    seller: str | None = None  # last buy-box seller seen while listed
    blocked_streak: int = 0
    blocked_alerted: bool = False
    checks: int = 0  # observations that said something about the listing
    price_times: tuple[datetime, ...] = ()  # when each of `prices` was seen (same length)
    shipping_fee_times: tuple[datetime, ...] = ()
    pending_price: Decimal | None = None  # an abrupt price seen once, waiting for a second sighting
    pending_shipping_fee: Decimal | None = None
    fee_schedule: FeeSchedule | None = None  # last schedule read from a fee page


@dataclass(frozen=True)
class Event:
    kind: EventKind
    detected_at: datetime
    before: str | None = None
    after: str | None = None
    details: dict[str, str] = field(default_factory=dict, hash=False, compare=True)
