from __future__ import annotations

import csv
from pathlib import Path

import pytest

from spiders.walls import SMALL_PAGE, detect_wall, normalise

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"


@pytest.mark.parametrize("body, reason", [
    ("<script src='https://ct.captcha-delivery.com/c.js'></script>", "DataDome captcha"),
    ('<iframe src="https://geo.captcha-delivery.com/captcha/?x=1" title="DataDome CAPTCHA"></iframe>', "DataDome captcha"),
    ('<div id="px-captcha"></div>', "PerimeterX challenge"),
    ("<p>Press &amp; Hold</p>", "PerimeterX challenge"),
    ("<title>Just a moment...</title>", "Cloudflare challenge"),
    ("<title>Un instant…</title>", "Cloudflare challenge"),
    ("<script>window._cf_chl_opt={}</script>", "Cloudflare challenge"),
    ("<h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: 8a1</p>", "Cloudflare block"),
    ("<script>AwsWafIntegration.getToken()</script>", "AWS WAF challenge"),
    ('<form action="/errors/validateCaptcha"><button>Continue shopping</button></form>', "Amazon captcha"),
    ("<p>Type the characters you see in this image:</p>", "Amazon captcha"),
    ("<script src='/_Incapsula_Resource?x'></script>", "Imperva challenge"),
    ("<title>Access Denied</title> Reference #18 https://errors.edgesuite.net/18", "Akamai block"),
    ('<div class="g-recaptcha" data-sitekey="x"></div>', "captcha form"),
])
def test_each_wall_is_recognised_on_a_small_page(body, reason):
    assert detect_wall(f"<html><body>{body}</body></html>") == reason


@pytest.mark.parametrize("headers, reason", [
    ({"X-DataDome": "protected"}, "DataDome captcha"),
    ({"cf-mitigated": "challenge"}, "Cloudflare challenge"),
    ({"x-amzn-waf-action": "captcha"}, "AWS WAF challenge"),
])
def test_walls_announced_by_headers(headers, reason):
    body = "<html>see captcha-delivery</html>"
    assert detect_wall(body, headers) == reason


def test_a_big_product_page_loading_vendor_tags_is_not_a_wall():
    tags = ("<script src='https://js.datadome.co/tags.js'></script>"
            "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>"
            "<p>Press &amp; Hold the power button for 3 seconds</p>")
    page = "<html><body>" + tags + "<p>Product description.</p>" * (SMALL_PAGE // 20) + "</body></html>"
    assert len(page) > SMALL_PAGE
    assert detect_wall(page) is None


def test_plain_pages_are_not_walls():
    assert detect_wall("<html><title>Lampe</title><body>Ajouter au panier</body></html>") is None
    assert detect_wall("") is None


def test_normalise_folds_case_accents_and_spaces():
    assert normalise("  Éditions   ÉTOILE ") == "editions etoile"


def corpus_rows():
    expected = CORPUS / "EXPECTED.tsv"
    if not expected.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"real-page corpus not found at {CORPUS}"))]
    with expected.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [pytest.param(row, id=row["file"]) for row in rows]


@pytest.mark.parametrize("row", corpus_rows())
def test_corpus_walls_are_walls_and_product_pages_are_not(row):
    text = (CORPUS / row["file"]).read_bytes().decode("utf-8", errors="replace")
    wall = detect_wall(text)
    if row["outcome"] == "blocked":
        assert wall is not None
    else:
        assert wall is None, f"{row['file']} taken for a {wall}"


def test_walls_are_found_on_pages_with_accents_and_capitals():
    # the triggers are tested on lowercased UTF-8 bytes: accented text around them must not hide them
    page = "<html><head><title>Un INSTANT…</title></head><body><p>Vérification de votre navigateur é à ç</p></body></html>"
    assert detect_wall(page) == "Cloudflare challenge"


def test_a_character_unicode_lowercases_to_ascii_still_reaches_the_trigger():
    # "\u212a" (Kelvin sign) lowercases to "k": str.lower() saw "checking", so the trigger test must too
    page = "<title>x</title><p>Chec\u212aing your browser before accessing</p>"
    assert detect_wall(page) == detect_wall(page.lower()) == "Cloudflare challenge"
