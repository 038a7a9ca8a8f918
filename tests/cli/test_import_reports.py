"""`vigie import` of marketplace listing reports: the format named, the site asked for and remembered, bad rows
reported, a re-import that syncs, and the exit status (issues 25 and 26)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"


def listings(vigie, *flags):
    result = vigie("list", "--json", *flags)
    assert result.code == 0, result.err
    return result.json()


def test_an_amazon_report_without_a_site_is_refused_with_the_option_to_give(vigie):
    result = vigie("import", str(REPORTS / "amazon-all-listings-en.txt"))
    assert result.code == 2
    assert result.err.strip().endswith("give --site amazon.fr (remembered as the account's default)")
    assert len(result.err.strip().splitlines()) == 1 and listings(vigie) == []


def test_an_amazon_report_imports_its_active_offers_with_the_sellers_references(vigie):
    result = vigie("import", str(REPORTS / "amazon-all-listings-en.txt"), "--site", "amazon.fr", "--json")
    assert result.code == 1, result.err  # line 5 has no ASIN: refused, the others kept
    report = result.json()
    assert report["format"] == "Amazon All Listings report, English headers (UTF-8)" and report["site"] == "amazon.fr"
    assert [row["line"] for row in report["added"]] == [2, 3, 6]
    assert report["inactive"] == [{"line": 4, "reason": "LIN-240-NAT: status Inactive in the report, not watched"}]
    assert report["refused"] == [{"line": 5, "reason": "no ASIN (asin1 is empty): no product page to watch"}]
    assert "amazon.fr is now account 'default''s default Amazon site" in report["notes"]
    watched = {row["seller_sku"]: row for row in listings(vigie)}
    assert sorted(watched) == ["IGL-DB2S-01", "PLAID-MER-130", "THE-FONTE-12"]
    assert watched["THE-FONTE-12"]["url"] == "https://www.amazon.fr/dp/B00ZQ4NH9I"
    assert (watched["THE-FONTE-12"]["ean"], watched["THE-FONTE-12"]["offer_ref"]) == ("3760123456789", "0312ABCDEF2")
    assert watched["THE-FONTE-12"]["label"] == "Théière en fonte émaillée 1,2 L, noire"
    shown = vigie("list").out
    assert re.search(r"\bIGL-DB2S-01\s+Serrure connectée Igloohome", shown), shown


def test_a_reimport_is_a_sync(vigie, tmp_path):
    first = vigie("import", str(REPORTS / "amazon-all-listings-en.txt"), "--site", "amazon.fr")
    assert first.code == 1 and "read as Amazon All Listings report, English headers (UTF-8), site amazon.fr" in first.err
    # a week later: the throw is gone from the report, a cushion is new; the site is the account's default now
    later = REPORTS / "amazon-all-listings-en-next-week.txt"
    second = vigie("import", str(later), "--json")
    assert second.code == 0, second.err
    report = second.json()
    assert [row["url"] for row in report["added"]] == ["https://www.amazon.fr/dp/B0CUSHION1"]
    assert report["kept"] == 2 and report["stopped_watching_absent"] is False
    assert [(row["url"], row["seller_sku"]) for row in report["absent"]] == [
        ("https://www.amazon.fr/dp/B09PLAID01", "PLAID-MER-130")]
    assert "PLAID-MER-130" in {row["seller_sku"] for row in listings(vigie)}  # listed, still watched
    synced = vigie("import", str(later), "--sync")
    assert synced.code == 0, synced.err
    assert "not in this report (no longer watched): listing" in synced.err and "(SKU PLAID-MER-130)" in synced.err
    assert "PLAID-MER-130" not in {row["seller_sku"] for row in listings(vigie)}
    removed = {row["seller_sku"]: row for row in listings(vigie, "--removed")}
    assert removed["PLAID-MER-130"]["active"] is False  # history kept: deactivated, not deleted
    # the throw listed again: watched again, the same listing
    back = vigie("import", str(REPORTS / "amazon-all-listings-en.txt"), "--json")
    assert [row["id"] for row in back.json()["restored"]] == [removed["PLAID-MER-130"]["id"]]


def test_french_headers_in_windows_1252(vigie):
    result = vigie("import", str(REPORTS / "amazon-all-listings-fr-cp1252.txt"), "--site", "www.amazon.fr")
    assert result.code == 0, result.err
    assert "read as Amazon All Listings report, French headers (Windows-1252), site amazon.fr" in result.err
    assert "line 3: BOUGIE-FIG-180: status Inactif in the report, not watched" in result.err
    labels = sorted(row["label"] for row in listings(vigie))
    assert labels == ["Tablier de cuisine en lin, écru", "Théière en fonte émaillée 1,2 L, noire"]


def test_an_ebay_report_needs_no_site_and_folds_variations(vigie):
    result = vigie("import", str(REPORTS / "ebay-active-listings.csv"), "--json")
    assert result.code == 1  # two bad rows, reported by line
    report = result.json()
    assert report["format"] == "eBay Seller Hub active listings report (UTF-8)"
    assert sorted(row["url"] for row in listings(vigie)) == [
        "https://www.ebay.de/itm/266012345678", "https://www.ebay.fr/itm/115937283641",
        "https://www.ebay.fr/itm/115937283642"]
    assert [row["line"] for row in report["refused"]] == [8, 9]


def test_a_mirakl_export_imports_where_a_url_can_be_built_and_says_why_not_elsewhere(vigie):
    export = str(REPORTS / "mirakl-offers-of52.csv")
    refused = vigie("import", export, "--site", "leroymerlin.fr")
    assert refused.code == 2 and "cannot build from an export" in refused.err
    result = vigie("import", export, "--site", "darty.com", "--json")
    assert result.code == 1
    report = result.json()
    assert [row["url"] for row in report["added"]] == ["https://www.darty.com/nav/codic/4186934"]
    assert [row["line"] for row in report["inactive"]] == [3, 4]
    assert [row["line"] for row in report["refused"]] == [5, 6]
    assert [row["offer_ref"] for row in listings(vigie)] == ["2031"]


def test_a_report_whose_every_row_is_refused_exits_2_and_stops_nothing(vigie, tmp_path):
    assert vigie("import", str(REPORTS / "amazon-all-listings-en.txt"), "--site", "amazon.fr").code == 1
    header = (REPORTS / "amazon-all-listings-en.txt").read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "bad.txt"
    bad.write_text(header + "\n" + "\t".join(["Objet"] + [""] * (header.count("\t"))) + "\n", encoding="utf-8")
    result = vigie("import", str(bad), "--sync")
    assert result.code == 2 and "no row could be imported" in result.err
    assert len(listings(vigie)) == 3  # a report none of whose rows was read says nothing of what is absent


def test_a_semicolon_csv_is_read_and_a_headerless_one_split(vigie, tmp_path):
    with_header = tmp_path / "excel.csv"
    with_header.write_bytes("url;label\nhttps://www.amazon.fr/dp/B07G8CVQNK;Serrure connectée\n".encode("utf-8-sig"))
    read = vigie("import", str(with_header))
    assert read.code == 0 and "read as a CSV of URLs: 1 row(s)" in read.err
    headerless = tmp_path / "bare.csv"
    headerless.write_text("https://www.ebay.fr/itm/123456789012;ebay;Maison Ferrand\n"
                          "https://www.cdiscount.com/f-1070992-sam123.html;cdiscount;Maison Ferrand\n")
    result = vigie("import", str(headerless), "--json")
    assert result.code == 0, result.err
    assert result.json()["format"] == "CSV of URLs" and [row["line"] for row in result.json()["added"]] == [1, 2]
    got = {row["url"]: (row["marketplace"], row["seller"], row["label"]) for row in listings(vigie)}
    assert got["https://www.ebay.fr/itm/123456789012"] == ("ebay", "Maison Ferrand", None)
    assert got["https://www.amazon.fr/dp/B07G8CVQNK"][2] == "Serrure connectée"


def test_a_file_that_cannot_be_read_says_so_in_one_line(vigie, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("lien|vendeur\nhttps://www.amazon.fr/dp/B07G8CVQNK|x\n")
    result = vigie("import", str(odd))
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "commas, semicolons or tabs" in result.err


def test_site_and_sync_apply_to_reports_only(vigie, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("url\nhttps://www.amazon.fr/dp/B07G8CVQNK\n")
    result = vigie("import", str(plain), "--sync")
    assert result.code == 2 and "apply to reports" in result.err


def test_a_loopback_url_names_the_setting_that_allows_it(vigie):
    result = vigie("add", "http://127.0.0.1:8080/p/1")
    assert result.code == 2 and "VIGIE_ALLOW_PRIVATE_HOSTS=1 allows it" in result.err


def test_a_report_goes_to_the_account_named(vigie, tmp_path):
    copy = tmp_path / "Rapport+de+toutes+les+offres.txt"  # as Seller Central names the download
    shutil.copy(REPORTS / "amazon-all-listings-fr-cp1252.txt", copy)
    result = vigie("import", str(copy), "--site", "amazon.fr", "--account", "Maison Ferrand")
    assert result.code == 0, result.err
    assert {row["account"] for row in listings(vigie)} == {"Maison Ferrand"}


def test_a_listing_added_by_hand_is_adopted_by_the_report(vigie):
    mine = vigie("add", "https://www.amazon.fr/Serrure/dp/B07G8CVQNK?tag=x", "--json").json()
    result = vigie("import", str(REPORTS / "amazon-all-listings-en.txt"), "--site", "amazon.fr", "--json").json()
    assert result["kept"] == 1 and [row["line"] for row in result["added"]] == [3, 6]
    got = {row["id"]: row for row in listings(vigie)}
    assert (got[mine["id"]]["seller_sku"], got[mine["id"]]["offer_ref"]) == ("IGL-DB2S-01", "0312ABCDEF1")
    assert got[mine["id"]]["label"] == "Serrure connectée Igloohome Deadbolt 2S"  # it had none
