"""The marketplace report readers (vigie.report_formats), on real-shaped files, without a database."""
from __future__ import annotations

from pathlib import Path

import pytest

from vigie.mirakl_sites import mirakl_site
from vigie.report_formats import amazon_site, detect, read
from vigie.report_text import ReportFileError

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"


def offers(name: str, site: str | None):
    detected = detect((REPORTS / name).read_bytes())
    assert detected is not None, name
    return detected, read(detected, site=site).offers


def test_amazon_all_listings_in_english_with_business_columns():
    detected, rows = offers("amazon-all-listings-en.txt", "amazon.fr")
    assert detected.name == "Amazon All Listings report, English headers (UTF-8)"
    by_line = {o.line: o for o in rows}
    assert by_line[2].url == "https://www.amazon.fr/dp/B07G8CVQNK"
    assert (by_line[2].seller_sku, by_line[2].offer_ref, by_line[2].ean) == ("IGL-DB2S-01", "0312ABCDEF1", None)
    assert by_line[3].ean == "3760123456789"  # product-id-type 4: the product-id is an EAN
    assert by_line[4].inactive == "status Inactive" and by_line[5].problem.startswith("no ASIN")
    assert {o.scope for o in rows} == {"amazon:amazon.fr"}


def test_amazon_french_headers_in_windows_1252():
    detected, rows = offers("amazon-all-listings-fr-cp1252.txt", "amazon.fr")
    assert detected.name == "Amazon All Listings report, French headers (Windows-1252)"
    assert [o.title for o in rows][:2] == ["Théière en fonte émaillée 1,2 L, noire", "Bougie parfumée « Figuier » 180 g"]
    assert [o.inactive for o in rows] == [None, "status Inactif", None]
    assert rows[0].seller_sku == "THE-FONTE-12" and rows[0].offer_ref == "0205GHIJKL1"


def test_amazon_french_active_listings_in_utf8_without_a_status_column():
    detected, rows = offers("amazon-active-listings-fr-utf8.txt", "amazon.de")
    assert detected.name == "Amazon Active Listings report, French headers (UTF-8)"
    assert [o.url for o in rows] == ["https://www.amazon.de/dp/B00ZQ4NH9I", "https://www.amazon.de/dp/B0PLATEAU1"]
    assert all(o.inactive is None for o in rows)


def test_ebay_report_with_bom_folds_variations_and_reads_each_listing_site():
    detected, rows = offers("ebay-active-listings.csv", None)
    assert detected.name == "eBay Seller Hub active listings report (UTF-8)" and not detected.needs_site
    assert [(o.line, o.url) for o in rows if o.url] == [
        (2, "https://www.ebay.fr/itm/115937283641"), (3, "https://www.ebay.fr/itm/115937283642"),
        (7, "https://www.ebay.de/itm/266012345678")]
    assert rows[0].ean == "3760123456789" and rows[1].seller_sku is None  # the parent row has no SKU of its own
    assert {o.line: o.problem for o in rows if o.problem} == {
        8: "Item number 'n/a' is not an eBay item number",
        9: "Listing site 'Atlantis' is not an eBay site Vigie knows"}


def test_mirakl_export_builds_urls_only_where_the_marketplace_has_a_stable_form():
    detected, rows = offers("mirakl-offers-of52.csv", "darty.com")
    assert detected.name == "Mirakl offers export (OF51/OF52) (UTF-8)"
    assert rows[0].url == "https://www.darty.com/nav/codic/4186934" and rows[0].offer_ref == "2031"
    assert [o.inactive for o in rows[1:3]] == ["active=false", "deleted"]
    assert rows[3].problem == "no product-sku: no product page to watch"
    assert "not a Darty codic" in rows[4].problem and rows[4].url is None


def test_a_mirakl_marketplace_without_a_stable_url_form_is_refused_with_the_reason():
    with pytest.raises(ValueError) as refused:
        mirakl_site("leroymerlin.fr")
    assert "cannot build from an export" in str(refused.value) and "darty.com" in str(refused.value)
    assert mirakl_site("https://www.laredoute.fr/") == "laredoute.fr"


def test_sites_are_named_not_guessed():
    assert amazon_site("www.amazon.co.uk") == "amazon.co.uk"
    with pytest.raises(ReportFileError, match="not an Amazon site"):
        amazon_site("amazon.example")


@pytest.mark.parametrize("content", [
    b"url,label\nhttps://www.amazon.fr/dp/B07G8CVQNK,x\n",
    b"url;label\nhttps://www.amazon.fr/dp/B07G8CVQNK;x\n",
    b"\x89PNG\r\n\x1a\n\x00\x00",
])
def test_plain_csvs_and_other_files_are_no_report(content):
    assert detect(content) is None


def test_a_report_with_an_unreadable_row_is_refused_whole():
    header = "offer-id;product-sku;price\n"
    with pytest.raises(ReportFileError, match="longer than"):
        detect((header + "1;4186934;" + "x" * 140_000 + "\n").encode())


def test_the_amazon_inventory_report_is_read_too():
    detected = detect(b"sku\tasin\tprice\tquantity\r\nTHE-FONTE-12\tB00ZQ4NH9I\t39.90\t4\r\n")
    assert detected is not None and detected.name == "Amazon inventory report (UTF-8)"
    [offer] = read(detected, site="amazon.fr").offers
    assert (offer.url, offer.seller_sku) == ("https://www.amazon.fr/dp/B00ZQ4NH9I", "THE-FONTE-12")
