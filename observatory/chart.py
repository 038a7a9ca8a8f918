"""A price and delivery-fee chart over time, as coordinates for an inline SVG drawn server-side.

The amount axis is scaled to the data (a 19,90 → 24,90 € jump fills the height, it is not a ripple on top of a
0-based axis) with round ticks; the time axis is labelled at evenly spaced moments, with the time of day when the
history is short; events (delisting, price change, ...) are marked where they happened. Pixel coordinates are
geometry, not money: computed from the Decimal amounts and rounded to tenths of a pixel; labels keep exact
amounts, written in the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Sequence

from observatory.i18n import FALLBACK, Ui, load_catalogues, ui_for
from observatory.words import kind_word

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 46, 40  # room for amount labels, event labels and time labels
TENTH = Decimal("0.1")
Y_TICKS, X_TICKS = 5, 5
# the events worth a mark on a price chart
MARKED = ("delisted", "offer_gone", "unavailable", "restored", "price_change", "shipping_fee_change",
          "seller_change")


@dataclass(frozen=True)
class Tick:
    at: str  # pixel coordinate along the axis
    label: str


@dataclass(frozen=True)
class Mark:
    x: str
    kind: str  # the event's code, for styling
    label: str  # the event in words
    title: str  # words and time, shown on hover
    row: int  # 0 or 1: alternating label heights so neighbours do not overlap
    anchor: str  # "start", "middle" or "end": a label at an edge stays inside the chart


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    price_points: str
    fee_points: str
    dots: tuple[tuple[str, str, str, str], ...]  # (x, y, series, label)
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    currency: str
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.dots


def nice_step(span: Decimal, ticks: int) -> Decimal:
    """1, 2 or 5 times a power of ten, so that about `ticks` steps cover `span`."""
    raw = span / ticks
    power = Decimal(1).scaleb(raw.adjusted())
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10  # pragma: no cover - the loop always returns


def amount_range(amounts: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(low, high, step): round bounds just around the data, never below 0 for money."""
    low, high = min(amounts), max(amounts)
    if low == high:  # one price all along: a band around it
        pad = max(abs(low) / 10, Decimal(1))
        low, high = low - pad, high + pad
    step = nice_step(high - low, Y_TICKS - 1)
    low = max((low / step).to_integral_value(ROUND_FLOOR) * step, Decimal(0))
    high = (high / step).to_integral_value(ROUND_CEILING) * step
    return low, high, step


def build(snapshots: Sequence[Any], events: Sequence[Any] = (), ui: Ui | None = None) -> Chart:
    """From snapshots (fetched_at, price, shipping_fee, currency), oldest first, and the listing's events."""
    ui = ui or ui_for(load_catalogues(), FALLBACK)
    points = [s for s in snapshots if s.price is not None or s.shipping_fee is not None]
    amounts = [a for s in points for a in (s.price, s.shipping_fee) if a is not None]
    currency = next((s.currency for s in points if s.currency), "") or ""
    if not points:
        return Chart(WIDTH, HEIGHT, "", "", (), (), (), (), currency)
    low, high, step = amount_range(amounts)
    axis = TimeAxis.over([s.fetched_at for s in snapshots] + [e.detected_at for e in events if e.kind in MARKED])
    x = axis.x

    def y(amount: Decimal) -> Decimal:
        return px(HEIGHT - BOTTOM - (amount - low) / (high - low) * (HEIGHT - TOP - BOTTOM))

    price, fee, dots = [], [], []
    for s in points:
        at = ui.when(s.fetched_at)
        if s.price is not None:
            price.append(f"{x(s.fetched_at)},{y(s.price)}")
            dots.append((str(x(s.fetched_at)), str(y(s.price)), "price", f"{at} · {ui.money(s.price, s.currency)}"))
        if s.shipping_fee is not None:
            fee.append(f"{x(s.fetched_at)},{y(s.shipping_fee)}")
            dots.append((str(x(s.fetched_at)), str(y(s.shipping_fee)), "fee",
                         f"{at} · {ui.money(s.shipping_fee, s.currency)}"))
    y_ticks = []
    amount = low
    while amount <= high:
        y_ticks.append(Tick(str(y(amount)), ui.money(amount, currency)))
        amount += step
    return Chart(WIDTH, HEIGHT, " ".join(price), " ".join(fee), tuple(dots), tuple(y_ticks), axis.ticks(ui),
                 event_marks(events, axis, ui, MARKED), currency)


@dataclass(frozen=True)
class TimeAxis:
    """The horizontal axis of a chart over time (the price chart's, the search rank chart's): from the first
    moment shown to the last, labelled at X_TICKS evenly spaced moments."""

    start: datetime
    end: datetime

    @classmethod
    def over(cls, times: Sequence[datetime]) -> "TimeAxis":
        return cls(min(times), max(times))

    def x(self, at: datetime) -> Decimal:
        span = (self.end - self.start).total_seconds()
        fraction = Decimal(str((at - self.start).total_seconds() / span)) if span else Decimal("0.5")
        return px(LEFT + fraction * (WIDTH - LEFT - RIGHT))

    def ticks(self, ui: Ui) -> tuple[Tick, ...]:
        with_time = self.end - self.start < timedelta(days=3)  # a short history: the time of day too
        count = X_TICKS if self.end > self.start else 1
        moments = [self.start + (self.end - self.start) * (i / (count - 1)) for i in range(count)] \
            if count > 1 else [self.start]
        return tuple(Tick(str(self.x(at)), ui.short(at, with_time=with_time)) for at in moments)


def event_marks(events: Sequence[Any], axis: TimeAxis, ui: Ui, kinds: Sequence[str]) -> tuple[Mark, ...]:
    """A labelled mark for each event of `kinds`, where it happened on `axis`."""
    marked = [e for e in events if e.kind in kinds]
    return tuple(Mark(str(axis.x(e.detected_at)), e.kind, ui.gettext(kind_word(e.kind)),
                      f"{ui.gettext(kind_word(e.kind))} · {ui.when(e.detected_at)}", i % 2,
                      _anchor(axis.x(e.detected_at)))
                 for i, e in enumerate(marked))


def _anchor(at: Decimal) -> str:
    edge = (WIDTH - LEFT - RIGHT) / 5
    return "end" if at > WIDTH - RIGHT - edge else "start" if at < LEFT + edge else "middle"


def px(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)
