"""`vigie add`, `import`, `list`, `remove`: what is accepted, what is refused, and that refusals store nothing."""
from __future__ import annotations

import pytest

AMAZON = "https://www.amazon.fr/Some-Title/dp/B07G8CVQNK/ref=sr_1_1?keywords=x&utm_source=news"


def listings(vigie):
    result = vigie("list", "--json")
    assert result.code == 0, result.err
    return result.json()


def test_add_canonicalises_and_detects_marketplace(vigie):
    added = vigie("add", AMAZON, "--email", "Vendeur@Example.org", "--label", "Serrure", "--json")
    assert added.code == 0, added.err
    data = added.json()
    assert data["url"] == "https://www.amazon.fr/dp/B07G8CVQNK"
    assert data["marketplace"] == "amazon"
    assert data["marketplace_ref"] == "B07G8CVQNK"
    assert data["emails"] == ["Vendeur@example.org"]
    [listed] = listings(vigie)
    assert {k: listed[k] for k in ("id", "url", "marketplace", "state")} == {
        "id": data["id"], "url": data["url"], "marketplace": "amazon", "state": None}


def test_same_product_through_another_url_variant_is_refused(vigie):
    assert vigie("add", AMAZON).code == 0
    again = vigie("add", "https://www.amazon.fr/gp/product/B07G8CVQNK?th=1")
    assert again.code == 2
    assert again.err.strip().count("\n") == 0
    assert "already registered" in again.err
    assert len(listings(vigie)) == 1


@pytest.mark.parametrize("url, words", [
    ("ftp://example.org/file", "http(s)"),
    ("javascript:alert(1)", "http(s)"),
    ("not a url", ""),
    ("http://127.0.0.1:8000/p/1", "loopback"),
    ("http://10.0.0.8/p/1", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://[::1]/p/1", "loopback"),
    ("http://2130706433/p/1", "loopback"),
    ("http://224.0.0.1/", "multicast"),
])
def test_unsafe_or_malformed_urls_are_refused_with_one_line(vigie, url, words):
    result = vigie("add", url)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert words in lines[0]
    assert listings(vigie) == []


def test_private_hosts_allowed_only_by_the_explicit_setting(vigie, monkeypatch):
    monkeypatch.setenv("VIGIE_ALLOW_PRIVATE_HOSTS", "1")
    result = vigie("add", "http://127.0.0.1:8000/p/1", "--json")
    assert result.code == 0, result.err
    assert result.json()["marketplace"] == "generic"


@pytest.mark.parametrize("args, words", [
    (["--email", "not-an-email"], "invalid email"),
    (["--every", "1m"], "minimum"),
    (["--every", "soon"], "duration"),
    (["--marketplace", "nowhere"], "unknown marketplace"),
])
def test_bad_options_are_refused_and_store_nothing(vigie, args, words):
    result = vigie("add", AMAZON, *args)
    assert result.code == 2
    assert words in result.err and result.err.strip().count("\n") == 0
    assert listings(vigie) == []


def test_marketplace_option_overrides_domain_detection(vigie):
    result = vigie("add", "https://shop.example.org/produit/42", "--marketplace", "cdiscount", "--json")
    assert result.code == 0, result.err
    assert result.json()["marketplace"] == "cdiscount"


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(vigie, tmp_path):
    csv = tmp_path / "listings.csv"
    csv.write_text(
        "url,marketplace,seller,email,label\n"
        "https://www.amazon.fr/dp/B07G8CVQNK,,Igloohome,a@example.org,Serrure\n"
        "ftp://nope.example/x,,,,\n"
        "https://www.ebay.fr/itm/123456789012,,,not-an-email,\n"
        "https://www.cdiscount.com/f-1070992-sam123.html,,,b@example.org,Frigo\n"
        "https://www.amazon.fr/gp/product/B07G8CVQNK,,,,duplicate\n"
    )
    result = vigie("import", str(csv))
    assert result.code == 1, result.err  # some rows refused, the others imported (issue 25)
    assert "line 3:" in result.err and "line 4:" in result.err and "line 6:" in result.err
    assert "2 added, 3 refused" in result.err
    assert sorted(l["marketplace"] for l in listings(vigie)) == ["amazon", "cdiscount"]


def test_import_reads_the_interval_and_browser_columns(vigie, tmp_path):
    csv = tmp_path / "listings.csv"
    csv.write_text("url,every,browser\n"
                   "https://www.amazon.fr/dp/B07G8CVQNK,30m,yes\n"
                   "https://www.ebay.fr/itm/123456789012,,\n"
                   "https://www.cdiscount.com/f-1070992-sam123.html,1m,no\n")
    result = vigie("import", str(csv))
    assert result.code == 1, result.err
    assert "line 4:" in result.err and "1 refused" in result.err  # below the 5-minute minimum
    got = {l["marketplace"]: (l["every_seconds"], l["browser"]) for l in listings(vigie)}
    assert got == {"amazon": (1800, True), "ebay": (3600, False)}


@pytest.mark.parametrize("content, words", [
    ("link,seller\nhttps://www.amazon.fr/dp/B07G8CVQNK,x\n", "url column"),
    ("url,colour\nhttps://www.amazon.fr/dp/B07G8CVQNK,red\n", "unknown column"),
])
def test_import_refuses_a_bad_header_whole(vigie, tmp_path, content, words):
    csv = tmp_path / "bad.csv"
    csv.write_text(content)
    result = vigie("import", str(csv))
    assert result.code == 2 and words in result.err
    assert listings(vigie) == []


def test_import_of_a_missing_file_is_bad_input(vigie, tmp_path):
    result = vigie("import", str(tmp_path / "nope.csv"))
    assert result.code == 2 and "no such file" in result.err


def test_remove_keeps_history_and_readding_reactivates(vigie):
    added = vigie("add", AMAZON, "--json").json()
    assert vigie("remove", str(added["id"])).code == 0
    assert listings(vigie) == []
    assert vigie("remove", str(added["id"])).code == 2
    again = vigie("add", AMAZON, "--json")
    assert again.code == 0, again.err
    assert again.json()["id"] == added["id"]


def test_unknown_command_and_bad_setting_are_one_line_exit_2(vigie, monkeypatch):
    result = vigie("frobnicate")
    assert result.code == 2 and result.err.strip().count("\n") == 0
    monkeypatch.setenv("VIGIE_CONFIRMATIONS", "zero")
    result = vigie("list")
    assert result.code == 2 and "VIGIE_CONFIRMATIONS" in result.err


def test_an_unresolvable_host_is_kept_with_a_warning_to_be_checked_at_fetch_time(vigie):
    # .invalid never resolves (RFC 2606): DNS may be down at registration, the crawler re-checks every fetch
    result = vigie("add", "https://shop.example.invalid/produit/7", "--json")
    assert result.code == 0, result.err
    assert "warning: cannot resolve shop.example.invalid" in result.err
    assert result.json()["url"] == "https://shop.example.invalid/produit/7"
