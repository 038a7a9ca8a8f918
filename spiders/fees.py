"""Marketplace seller fee pages: page objects that read a fee grid, and the spider that fetches them.

A fee page is judged like a product page (empty → wall → 5xx → 403/429 → 404/410), then its
tables are read into a `FeeSchedule`. A page with no readable grid is an error, never an empty
schedule: an empty one would look like every category had been removed.

This module defines no MARKETPLACE: fee pages belong to the marketplace they were registered
with, and `reader_for(name)` picks the page object that reads that marketplace's markup.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from crawler.listing_spider import ListingSpider
from detector.fees import FeeSchedule
from detector.model import Observation, Outcome
from spiders import fee_tables, money
from spiders.marketplace import Marketplace
from spiders.page import PageInput, ProductPage


class FeePage(ProductPage):
    """The generic reader: every HTML table whose header looks like a fee grid."""

    header_words = fee_tables.HEADER_WORDS
    decimal_separator: str | None = None  # French and English pages alike: price-parser tells them apart

    @cached_property
    def grid(self) -> fee_tables.Grid | None:
        try:
            return fee_tables.read_tables(self.tables(), words=self.header_words,
                                          decimal_separator=self.decimal_separator)
        except money.ImplausibleAmount as exc:  # one wrong fee would be a false fee change: read none
            self.unreadable = f"fee table not read: {exc}"
            return None

    def tables(self) -> list:
        return self.tree.xpath("//table")

    def is_product_page(self) -> bool:
        return self.grid is not None

    unreadable: str | None = None

    def not_product_reason(self) -> str:
        return self.unreadable or "no fee table found on the page"

    def effective_from(self):
        return fee_tables.effective_date(self.visible_text)

    def _product(self) -> Observation:
        grid = self.grid
        assert grid is not None  # observe() asked is_product_page() first
        schedule = FeeSchedule(rates=grid.rates, currency=grid.currency, effective_from=self.effective_from())
        if schedule.effective_from is None:
            self.reasons.append("no effective date stated")
        return Observation(Outcome.LISTED, currency=grid.currency, title=self.page_title,
                           fee_schedule=schedule, reasons=tuple(self.reasons))


class AmazonFeePage(FeePage):
    """Amazon's "Frais de vente" help pages: the grid sits in tables whose header says
    "Pourcentage des frais de vente" and "Frais de vente minimum applicables"; a rate cell may state
    tiers ("15 % jusqu'à 1 000 €, 7 % au-delà"), of which the first is the category's rate. The
    category may be a row header (`<th scope="row">`), which the table reader reads as a cell."""

    header_words = (
        ("minimum", ("frais de vente minimum", "minimum referral fee", "minimum")),
        ("rate", ("pourcentage des frais de vente", "referral fee percentage", "pourcentage", "percentage")),
        ("category", ("categorie", "category")),
    )
    decimal_separator = ","

    def tables(self) -> list:
        marked = self.tree.xpath("//table[contains(@class, 'fee-table') or contains(@class, 'help-table')]")
        return marked or super().tables()


READERS: dict[str, type[FeePage]] = {"amazon": AmazonFeePage}


def fee_marketplace(name: str) -> Marketplace:
    """What a spider's `marketplace` is for product pages, for that marketplace's fee pages."""
    return Marketplace(name=name, domains=(), page=reader_for(name), concurrency=2, delay=1.0)


def reader_for(marketplace: str) -> type[FeePage]:
    return READERS.get(marketplace, FeePage)


def observe(page: PageInput, marketplace: str) -> Observation:
    """Offline reading of one saved fee page."""
    return reader_for(marketplace)(page).observe()


class FeeScheduleSpider(ListingSpider):
    """Fetches the fee pages of one marketplace; the crawl runner starts one per marketplace."""

    # Empty on the class so that `scrapy list` (one spider per marketplace) leaves it out; each
    # instance is named when the runner starts it.
    name = ""

    def __init__(self, *args: Any, marketplace_name: str = "generic", **kwargs: Any):
        kwargs.setdefault("name", f"fees-{marketplace_name}")
        super().__init__(*args, **kwargs)
        self.marketplace = fee_marketplace(marketplace_name)
