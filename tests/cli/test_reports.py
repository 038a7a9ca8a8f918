"""`vigie extract`, `events`, `history`: the JSON contracts and their bad-input paths."""
from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_extract_json_contract(vigie):
    page = FIXTURES / "generic" / "listed_jsonld.html"
    result = vigie("extract", str(page), "--marketplace", "generic", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) >= {"outcome", "price", "currency", "shipping_fee", "seller", "title", "availability", "reasons"}
    assert data["outcome"] == "listed"
    assert isinstance(data["price"], str) and "." in data["price"]


def test_extract_status_and_seller_options_change_the_verdict(vigie):
    page = FIXTURES / "generic" / "listed_jsonld.html"
    gone = vigie("extract", str(page), "--marketplace", "generic", "--status", "410", "--json").json()
    assert gone["outcome"] == "gone"
    other = vigie("extract", str(page), "--marketplace", "generic", "--seller", "Nobody Such Shop", "--json").json()
    assert other["outcome"] == "offer_gone"


def test_extract_bad_input(vigie, tmp_path):
    page = FIXTURES / "generic" / "listed_jsonld.html"
    unknown = vigie("extract", str(page), "--marketplace", "nowhere")
    assert unknown.code == 2 and "unknown marketplace" in unknown.err
    missing = vigie("extract", str(tmp_path / "absent.html"), "--marketplace", "generic")
    assert missing.code == 2 and "no such file" in missing.err
    status = vigie("extract", str(page), "--marketplace", "generic", "--status", "999")
    assert status.code == 2 and status.err.strip().count("\n") == 0


def test_events_and_history_bad_input(vigie):
    assert vigie("events", "--json").json() == []
    since = vigie("events", "--since", "yesterday")
    assert since.code == 2 and "ISO 8601" in since.err
    assert vigie("history", "42").code == 2
    assert vigie("events", "--listing", "42").code == 2
