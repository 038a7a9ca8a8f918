"""The CSV format shared by `vigie import` and the web upload (vigie.listing_csv), read without a database."""
from __future__ import annotations

import pytest

from vigie.listing_csv import CsvFileError, read_listings
from vigie.registration import NewListing

AMAZON = "https://www.amazon.fr/dp/B07G8CVQNK"


def rows_of(text: str):
    return list(read_listings(text))


def test_columns_in_any_order_with_every_and_browser():
    rows = rows_of("Browser,URL,every,email,seller\n"
                         f"oui,{AMAZON},30m,a@example.org; b@example.org,Igloohome\n")
    assert rows == [(2, NewListing(url=AMAZON, seller="Igloohome", emails=("a@example.org", "b@example.org"),
                                   every="30m", browser=True))]


def test_a_file_without_header_is_read_in_the_documented_order():
    rows = rows_of(f"{AMAZON},amazon,Igloohome,,Serrure,1h,no\n\nhttps://www.ebay.fr/itm/123456789012\n")
    assert rows == [(1, NewListing(url=AMAZON, marketplace="amazon", seller="Igloohome", label="Serrure",
                                   every="1h", browser=False)),
                    (3, NewListing(url="https://www.ebay.fr/itm/123456789012"))]


def test_bad_rows_are_reported_by_line_and_the_others_kept():
    rows = rows_of("url,label,browser\n"
                         f"{AMAZON},ok,\n"
                         ",no url,\n"
                         f"{AMAZON},odd,maybe\n"
                         f"{AMAZON},extra,no,surprise\n"
                         '"https://www.ebay.fr/itm/1","two\nlines",yes\n')
    assert rows[0] == (2, NewListing(url=AMAZON, label="ok"))
    assert rows[1] == (3, "url is empty")
    assert rows[2] == (4, "browser must be yes or no, not 'maybe'")
    assert rows[3] == (5, "4 cells where the header has 3")
    assert rows[4] == (6, NewListing(url="https://www.ebay.fr/itm/1", label="two\nlines", browser=True))


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("link,seller\nhttps://x.example/,y\n", "url column"),
    ("url,colour\nhttps://x.example/,red\n", "unknown column(s) colour"),
    ("url,label,label\nhttps://x.example/,a,b\n", "named twice: label"),
])
def test_a_bad_header_refuses_the_whole_file(text, words):
    with pytest.raises(CsvFileError) as refused:
        rows_of(text)
    assert words in str(refused.value)


def test_a_quote_closed_lines_later_with_text_after_it_reports_every_line_it_took():
    rows = rows_of("url,label\n"
                   'https://x.example/1,"opened\n'
                   "https://x.example/2,taken\n"
                   'https://x.example/3,closed"late\n'
                   "https://x.example/4,kept\n")
    assert rows == [(2, "text after a closing quote: a quoted cell ends at a comma or the end of the line; "
                        "lines 2–4 read as one row, not imported"),
                    (5, NewListing(url="https://x.example/4", label="kept"))]
