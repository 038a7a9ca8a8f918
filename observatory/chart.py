"""A price and delivery-fee chart over time, as coordinates for an inline SVG drawn server-side.

Pixel coordinates are geometry, not money: they are computed from the Decimal amounts and
rounded to tenths of a pixel; the labels keep the exact amounts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Sequence

WIDTH, HEIGHT, PAD = 640, 220, 40
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    price_points: str
    fee_points: str
    dots: tuple[tuple[str, str, str, str], ...]  # (x, y, series, label)
    y_min: str
    y_max: str
    x_first: str
    x_last: str
    currency: str

    @property
    def empty(self) -> bool:
        return not self.dots


def build(snapshots: Sequence[Any]) -> Chart:
    """From snapshots (fetched_at, price, shipping_fee, currency), oldest first."""
    points = [s for s in snapshots if s.price is not None or s.shipping_fee is not None]
    amounts = [a for s in points for a in (s.price, s.shipping_fee) if a is not None]
    currency = next((s.currency for s in points if s.currency), "") or ""
    if not points:
        return Chart(WIDTH, HEIGHT, "", "", (), "", "", "", "", currency)
    low, high = min(min(amounts), Decimal(0)), max(amounts)
    span_y = (high - low) or Decimal(1)
    start, end = points[0].fetched_at, points[-1].fetched_at
    span_t = Decimal(str((end - start).total_seconds())) or Decimal(1)

    def x(at: datetime) -> Decimal:
        seconds = Decimal(str((at - start).total_seconds()))
        fraction = seconds / span_t if end != start else Decimal("0.5")
        return _px(PAD + fraction * (WIDTH - 2 * PAD))

    def y(amount: Decimal) -> Decimal:
        return _px(HEIGHT - PAD - (amount - low) / span_y * (HEIGHT - 2 * PAD))

    price, fee, dots = [], [], []
    for s in points:
        if s.price is not None:
            price.append(f"{x(s.fetched_at)},{y(s.price)}")
            dots.append((str(x(s.fetched_at)), str(y(s.price)), "price", f"{s.fetched_at:%Y-%m-%d %H:%M} {s.price}"))
        if s.shipping_fee is not None:
            fee.append(f"{x(s.fetched_at)},{y(s.shipping_fee)}")
            dots.append((str(x(s.fetched_at)), str(y(s.shipping_fee)), "fee",
                         f"{s.fetched_at:%Y-%m-%d %H:%M} {s.shipping_fee}"))
    return Chart(WIDTH, HEIGHT, " ".join(price), " ".join(fee), tuple(dots), str(low), str(high),
                 f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", currency)


def _px(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)
