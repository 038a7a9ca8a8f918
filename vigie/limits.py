"""How big what a user registers may be: one table for `vigie add`, `vigie import`, the web form and upload, and
the JSON API (all of them go through vigie.registration and vigie.listing_csv).

The text limits are those of the database columns the values land in: past them PostgreSQL refuses the row
(a server error), SQLite silently stores megabytes that every page listing them then carries.
"""
from __future__ import annotations

from datetime import timedelta

URL_CHARS = 2_000  # listing.canonical_url is VARCHAR(2000); browsers and CDNs stop near 2,048 anyway
TEXT_CHARS = 200  # seller, label and account name: VARCHAR(200)
MARKETPLACE_CHARS = 40  # listing.marketplace
MARKETPLACE_REF_CHARS = 100  # the product id read from the URL: VARCHAR(100)
RECIPIENTS = 20  # alert addresses per listing: a shop's team, not a mailing list

EVERY_MIN = timedelta(minutes=5)  # politeness towards the marketplaces
EVERY_MIN_LOCAL = timedelta(seconds=1)  # with VIGIE_ALLOW_PRIVATE_HOSTS=1: testing against one's own server
EVERY_MAX = timedelta(days=365)  # a listing checked less than yearly is not watched
# Any duration (re-check delay, retention age...): past ten years it is a typo, and past ~8,000 years
# `now + duration` overflows datetime.
DURATION_MAX = timedelta(days=3650)

CSV_FILE_BYTES = 10_000_000  # `vigie import`: read twice as a stream (checked whole, then registered)
CSV_UPLOAD_BYTES = 2_000_000  # the web upload, which is held in memory
CSV_ROWS = 10_000  # listings per file: each is validated (DNS included) and stored in its own transaction
CSV_LINE_CHARS = 131_072  # one line or one cell (Python's csv field limit): a listing row is a few hundred
REPORT_ROWS = 50_000  # rows of a marketplace's own listing report (eBay writes one per variation besides its listing)
REPORT_BATCH = 1_000  # listings a report import writes per transaction
CSV_BATCH = 200  # rows the web upload writes per transaction: other writers wait for one batch, not the file

# What one request to the observatory may carry, checked before anything parses it or asks who is calling.
REQUEST_BYTES = 1_000_000  # a body (the API's JSON, a form): a listing with 20 addresses is a few KB
QUERY_CHARS = 200  # any query value (search text, filters, dates): SQLite refuses LIKE patterns past 50,000


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for an error line, cut short: refusing a 5 MB value must still take one short line."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"
