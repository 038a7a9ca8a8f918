"""A real amazon.com search page (query "portable charger", August 2026) with paid and organic results together,
its results count and its next-page link. Trimmed (tests/fixtures/results/amazon/PROVENANCE.tsv); every expected
value below was read by hand in the saved HTML, not copied from the reader's output."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from spiders.page import PageInput
from spiders.results import parser_for, walk_positions

PAGE = Path(__file__).parents[1] / "fixtures" / "results" / "amazon" / "search_us_portable_charger_trimmed.html"
URL = "https://www.amazon.com/s?k=portable+charger"


def read(body: bytes | str, status: int = 200):
    body = body.encode() if isinstance(body, str) else body
    return parser_for("search", "amazon")(PageInput(url=URL, body=body, status=status))


def test_paid_and_organic_results_in_page_order():
    # by hand: data-index 3 and 4 carry AdHolder, the "Sponsored" label and /sspa/click links (sr=8-1-spons,
    # sr=8-2-spons); data-index 5, 6, 7 carry none of these and link to /dp/ with sr=8-3, 8-4, 8-5.
    page = read(PAGE.read_bytes())
    assert page.complete, page.reasons
    assert [(i.id, i.position, i.sponsored, i.price, i.currency) for i in page.items] == [
        ("B0FQVG4RWW", None, True, Decimal("25.18"), "USD"),
        ("B0DR8G428S", None, True, Decimal("35.99"), "USD"),   # not the struck list price $45.99
        ("B0CB1FW5FC", 1, False, Decimal("21.59"), "USD"),
        ("B0GTM5NV64", 2, False, Decimal("18.99"), "USD"),
        ("B0GYR6GXWN", 3, False, Decimal("39.95"), "USD"),
    ]


def test_results_count_and_next_page():
    page = read(PAGE.read_bytes())
    assert page.total_results == 90000  # "1-16 of over 90,000 results for"
    # the s-pagination-next link, not the "2" button (ref=sr_pg_2) nor the disabled "Previous"
    assert page.next_page == ("https://www.amazon.com/s?k=portable+charger&page=2&xpid=v2XQIKgjzsj65"
                              "&qid=1786894751&ref=sr_pg_1")


def test_titles_lose_the_ad_prefix_and_urls_are_absolute():
    items = read(PAGE.read_bytes()).items
    assert items[0].title.startswith("Portable Charger with Wall Plug, Slim USB C Power Bank")
    assert not any(i.title.startswith("Sponsored") for i in items)
    assert items[2].title.startswith("INIU 45W Fast Charging Portable Charger")
    assert items[1].url.startswith("https://www.amazon.com/sspa/click?ie=UTF8&spc=")
    assert items[4].url.startswith("https://www.amazon.com/Charging-Magnetic-Portable-Charger-Cables/dp/B0GYR6GXWN/")


def test_a_second_page_continues_the_organic_count():
    first = read(PAGE.read_bytes())
    walked = walk_positions([first, first])
    assert [i.position for i in walked] == [None, None, 1, 2, 3, None, None, 4, 5, 6]


def test_the_page_cut_inside_a_result_is_no_answer():
    body = PAGE.read_text()
    cut = body[: body.index('data-asin="B0CB1FW5FC"') + 5]  # a dropped connection inside the first organic card
    page = read(cut)
    # two whole paid cards before the cut: without the </html> check this read as a complete two-result page
    assert not page.complete and page.items == ()
    assert page.reasons == ("the page stops before its end (no </html>): cut off",)


def test_the_page_with_its_labels_stripped_but_adholder_kept_still_reads_paid():
    # the AdHolder class alone is enough to keep a result out of the organic count
    body = PAGE.read_text().replace("puis-sponsored-label-text", "x").replace(">Sponsored<", "><")
    body = body.replace("/sspa/click", "/x/click").replace('aria-label="Sponsored Ad - ', 'aria-label="')
    page = read(body)
    assert page.complete, page.reasons
    assert [(i.id, i.position) for i in page.items][:3] == [("B0FQVG4RWW", None), ("B0DR8G428S", None),
                                                            ("B0CB1FW5FC", 1)]


def test_served_as_a_503_it_is_no_answer():
    page = read(PAGE.read_bytes(), status=503)
    assert not page.complete and page.items == () and page.reasons == ("http status 503",)
