"""`vigie price-rule`: per-account and per-listing rules for abrupt price changes, and their effect."""
from __future__ import annotations

from decimal import Decimal

AMAZON = "https://www.amazon.fr/dp/B07G8CVQNK"


def ok(vigie, *args: str):
    run = vigie(*args)
    assert run.code == 0, run.err
    return run


def rules(vigie, *args: str) -> dict:
    return ok(vigie, "price-rule", *args, "--json").json()["rules"]


def rule(shown: dict, name: str) -> tuple:
    """(value, where it comes from); numbers as Decimal, whatever their written scale."""
    value = shown[name]["value"]
    return (Decimal(value) if name.endswith("threshold") else value), shown[name]["from"]


def test_a_listing_rule_wins_over_its_accounts_which_wins_over_the_defaults(vigie):
    listing = str(ok(vigie, "add", AMAZON, "--json").json()["id"])
    shown = rules(vigie, "--listing", listing)
    assert rule(shown, "price_threshold") == (Decimal("0.1"), "default")
    assert rule(shown, "price_baseline") == ("median_n", "default")

    rules(vigie, "--account", "default", "--threshold", "20%", "--no-glitch")
    shown = rules(vigie, "--listing", listing, "--threshold", "0.05", "--baseline", "median_7d", "--absolute", "2,50")
    assert rule(shown, "price_threshold") == (Decimal("0.05"), "listing")
    assert rule(shown, "price_absolute_threshold") == (Decimal("2.50"), "listing")
    assert rule(shown, "price_baseline") == ("median_7d", "listing")
    assert rule(shown, "revert_is_glitch") == (False, "account")

    shown = rules(vigie, "--listing", listing, "--reset")
    assert rule(shown, "price_threshold") == (Decimal("0.2"), "account")
    assert rule(shown, "price_baseline") == ("median_n", "default")


def test_bad_rules_are_refused_in_one_line_and_change_nothing(vigie):
    listing = str(ok(vigie, "add", AMAZON, "--json").json()["id"])
    before = rules(vigie, "--listing", listing)
    for args, words in [(("--threshold", "-5%"), "above 0"), (("--threshold", "lots"), "not a share"),
                        (("--absolute", "0.001"), "to the cent"), (("--threshold", "5%", "--reset"), "alone"),
                        (("--threshold", "NaN"), "above 0")]:
        run = vigie("price-rule", "--listing", listing, *args)
        assert run.code == 2 and words in run.err and len(run.err.strip().splitlines()) == 1, run.err
    assert vigie("price-rule", "--listing", "99").code == 2
    assert vigie("price-rule", "--account", "nobody").code == 2
    assert vigie("price-rule").code == 2
    assert rules(vigie, "--listing", listing) == before


def test_an_account_is_found_by_any_spelling_of_its_name(vigie):
    ok(vigie, "add", AMAZON, "--account", "café")  # stored NFC
    for spelling in ("cafe\u0301", " café ", "café\t"):
        assert rules(vigie, "--account", spelling, "--threshold", "7%")["price_threshold"]["from"] == "account"
        assert "account café: alerts digest" in ok(vigie, "alert-mode", "digest", "--account", spelling).err
