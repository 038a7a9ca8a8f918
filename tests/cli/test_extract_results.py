"""`vigie extract --kind shop|search`: the JSON contract on a real page, walls, and the bad-input paths."""
from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"
STOREFRONT = FIXTURES / "results" / "amazon" / "store_front_us_trimmed.html"


def test_extract_results_json_contract(vigie):
    result = vigie("extract", str(STOREFRONT), "--kind", "shop", "--marketplace", "amazon",
                   "--url", "https://www.amazon.com/s?me=A2DP2EEPU3VU45", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) >= {"complete", "items", "next_page", "reasons"}
    assert data["complete"] is True and data["reasons"] == []
    assert len(data["items"]) == 16 and data["total_results"] == 28
    assert [(i["id"], i["position"], i["sponsored"], i["price"]) for i in data["items"][7:10]] == [
        ("B07SQXTJBR", 8, False, "30.99"), ("B07VKKLHS6", 9, False, "18.99"), ("B07ST8Z9PQ", 10, False, "24.99")]
    assert all(set(item) >= {"id", "position", "sponsored", "title", "price"} for item in data["items"])
    assert data["next_page"].startswith("https://www.amazon.com/s?i=merchant-items&me=A2DP2EEPU3VU45&page=2")


def test_extract_results_of_a_wall_is_incomplete_with_its_reason(vigie):
    wall = FIXTURES / "ebay" / "wall_pardon_our_interruption.html"
    data = vigie("extract", str(wall), "--kind", "search", "--marketplace", "ebay", "--json").json()
    assert data["complete"] is False and data["items"] == [] and data["reasons"][0].startswith("blocked")
    error = vigie("extract", str(STOREFRONT), "--kind", "shop", "--marketplace", "amazon", "--status", "503",
                  "--json").json()
    assert error == {"complete": False, "items": [], "next_page": None, "total_results": None,
                     "reasons": ["http status 503"]}


def test_extract_results_human_output(vigie):
    result = vigie("extract", str(STOREFRONT), "--kind", "shop", "--marketplace", "amazon")
    assert result.code == 0 and "B07Z5L6WZX" in result.out and "complete: yes" in result.out


def test_extract_results_bad_input(vigie, tmp_path):
    kind = vigie("extract", str(STOREFRONT), "--kind", "cart", "--marketplace", "amazon")
    assert kind.code == 2 and kind.err.strip().count("\n") == 0
    unknown = vigie("extract", str(STOREFRONT), "--kind", "shop", "--marketplace", "nowhere")
    assert unknown.code == 2 and "unknown marketplace" in unknown.err
    seller = vigie("extract", str(STOREFRONT), "--kind", "shop", "--marketplace", "amazon", "--seller", "X")
    assert seller.code == 2 and "--seller" in seller.err
    missing = vigie("extract", str(tmp_path / "absent.html"), "--kind", "search", "--marketplace", "ebay")
    assert missing.code == 2 and "no such file" in missing.err
