"""The price chart's axes: scaled to the data with round ticks, times labelled, events marked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from observatory.chart import amount_range, build
from observatory.i18n import load_catalogues, ui_for

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Snap:
    fetched_at: datetime
    price: Decimal | None
    shipping_fee: Decimal | None = None
    currency: str | None = "EUR"


@dataclass(frozen=True)
class Ev:
    kind: str
    detected_at: datetime


def test_a_thirty_percent_jump_fills_the_height_instead_of_sitting_on_a_zero_based_axis():
    low, high, step = amount_range([Decimal("89.00"), Decimal("115.70")])
    assert (low, high, step) == (Decimal("80"), Decimal("120"), Decimal("10"))
    assert amount_range([Decimal("19.99")]) == (Decimal("17"), Decimal("22"), Decimal("1"))  # a flat price: a band


def test_ticks_times_and_event_marks_are_labelled_in_the_readers_language():
    snaps = [Snap(T0 + timedelta(hours=12 * i), Decimal("89.00") if i < 5 else Decimal("115.70")) for i in range(10)]
    events = [Ev("price_change", T0 + timedelta(hours=72)), Ev("delisted", T0 + timedelta(hours=108))]
    fr = build(snaps, events, ui_for(load_catalogues(), "fr"))
    assert [t.label.replace("\u202f", " ").replace("\xa0", " ") for t in fr.y_ticks] == \
        ["80,00 €", "90,00 €", "100,00 €", "110,00 €", "120,00 €"]
    assert [t.label for t in fr.x_ticks] == ["23 nov.", "24 nov.", "25 nov.", "26 nov.", "27 nov."]  # 4.5 days
    assert [m.label for m in fr.marks] == ["Prix modifié", "Annonce retirée"]
    en = build(snaps, events, ui_for(load_catalogues(), "en"))
    assert en.y_ticks[-1].label == "€120.00" and en.x_ticks[0].label == "Nov 23"
    assert float(en.marks[0].x) < float(en.marks[1].x)


def test_a_short_history_labels_the_time_of_day():
    snaps = [Snap(T0 + timedelta(hours=i), Decimal("10")) for i in range(9)]
    fr = build(snaps, (), ui_for(load_catalogues(), "fr"))
    assert [t.label for t in fr.x_ticks] == ["23 nov. 08:00", "23 nov. 10:00", "23 nov. 12:00", "23 nov. 14:00",
                                             "23 nov. 16:00"]  # Paris time
