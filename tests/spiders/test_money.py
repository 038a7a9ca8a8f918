"""Money reading: one plausibility gate for every amount a page states (issue 15, point 5).

An amount that is no price anyone pays ("1e309", "-5", "NaN", 5,001 digits) is never read as a
number: the observation says `price not found: <why>` and carries no price.
"""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from detector.model import Outcome
from spiders import money
from spiders.fees import observe as observe_fees
from spiders.generic import MARKETPLACE
from spiders.page import PageInput

HUGE = "9" * 5001

# what the page writes → why it is refused (a part of the reason)
REFUSED = [
    ("1e309", "exponent notation"),
    ("1.5e3", "exponent notation"),
    ("2E2", "exponent notation"),
    ("1e-5", "exponent notation"),
    (HUGE, "5001 digits"),
    ("-5", "negative"),
    ("NaN", "not a number"),
    ("Infinity", "not a number"),
    ("-Infinity", "not a number"),
    ("120000000", "above 100,000,000"),
    ("0.001", "more than 2 decimals"),
    ("-5,00 €", "negative"),
    ("Prix : 1e309 €", "exponent notation"),
    (f"{HUGE} €", "5001 digits"),
    # JSON numbers, as extruct hands them over
    (float("inf"), "not a number"),
    (float("nan"), "not a number"),
    (1e308, "309-digit number"),
    (10 ** 40, "41-digit number"),
    (-5, "negative"),
    (-0.5, "negative"),
    (19.999, "more than 2 decimals"),
    ("0x1p3", "hexadecimal notation"),  # price-parser alone read it as 0
    ("Prix : 0x1A €", "hexadecimal notation"),
]

READ = [
    ("19.99", D("19.99")),
    ("19.990", D("19.990")),  # trailing zeros are no extra decimals
    ("19,99 €", D("19.99")),
    ("1 299,00 €", D("1299.00")),
    ("0", D("0")),
    ("-0", D("0")),  # stored and shown as 0, never "-0"
    ("-0.00", D("0.00")),
    (-0.0, D("0.0")),
    (19.99, D("19.99")),
    (1500.0, D("1500.0")),  # a JSON number written 1.5e3 is 1500: JSON's own syntax, not page text
    (20, D("20")),
    ("100000000", D("100000000")),
    ("19,99 € - 20 %", D("19.99")),  # a discount after the price is not a minus sign on it
    ("", None),
    ("Sur devis", None),
    (None, None),
    (True, None),
]


@pytest.mark.parametrize("value, why", REFUSED, ids=lambda v: repr(v)[:20])
def test_implausible_amounts_are_refused_with_their_reason(value, why):
    with pytest.raises(money.ImplausibleAmount, match=why):
        money.amount(value)


@pytest.mark.parametrize("value, expected", READ, ids=lambda v: repr(v)[:20])
def test_plausible_amounts_are_read_exactly(value, expected):
    found = money.amount(value)
    assert found == expected
    assert found is None or not found.is_signed()  # no "-0"


@pytest.mark.parametrize("text", ["1e309", "-5", "NaN", HUGE, "2E2"])
def test_machine_values_pass_the_same_gate(text):
    with pytest.raises(money.ImplausibleAmount):
        money.decimal_or_none(text)


def test_the_reason_stays_one_short_line_whatever_the_page_holds():
    with pytest.raises(money.ImplausibleAmount) as raised:
        money.amount("9" * 5_000_000)
    assert len(str(raised.value)) < 120 and "\n" not in str(raised.value)


def test_currency_is_read_even_when_the_amount_is_refused():
    assert money.currency_of("-5 €") == "EUR"


def product_page(price, *, extra: str = "") -> bytes:
    node = {"@type": "Product", "name": "Lampe", "offers": {
        "@type": "Offer", "price": price, "priceCurrency": "EUR", "availability": "https://schema.org/InStock",
        "seller": {"@type": "Organization", "name": "Atelier"}}}
    return (f'<html><head><script type="application/ld+json">{json.dumps(node)}</script>{extra}</head>'
            f"<body><h1>Lampe</h1></body></html>").encode()


def observe(body: bytes, **kwargs):
    return MARKETPLACE.observe(PageInput(url="https://shop.example.com/p/1", body=body, **kwargs))


@pytest.mark.parametrize("price, why", [
    ("1e309", "exponent notation"), ("1.5e3", "exponent notation"), ("2E2", "exponent notation"),
    ("1e-5", "exponent notation"), (HUGE, "5001 digits"), ("-5", "negative"), ("NaN", "not a number"),
    ("Infinity", "not a number"), (-5, "negative"), (10 ** 40, "above"),
], ids=lambda v: repr(v)[:20])
def test_a_page_with_an_implausible_price_has_no_price_and_says_why(price, why):
    seen = observe(product_page(price))
    assert seen.price is None
    reasons = [r for r in seen.reasons if r.startswith("price not found: ")]
    assert len(reasons) == 1 and why in reasons[0], seen.reasons
    assert seen.outcome is Outcome.LISTED  # the page is there; only its price is unreadable
    assert seen.currency == "EUR" and seen.seller == "Atelier"


def test_a_json_number_too_big_for_a_float_is_no_price():
    body = product_page(19.99).replace(b'"price": 19.99', b'"price": 1e309')  # json.loads makes it inf
    seen = observe(body)
    assert seen.price is None and any("not a number" in r for r in seen.reasons)


def test_an_implausible_opengraph_price_is_refused_too():
    body = (b'<html><head><meta property="og:type" content="product">'
            b'<meta property="product:price:amount" content="1e309">'
            b'<meta property="product:price:currency" content="EUR"></head><body>Lampe</body></html>')
    seen = observe(body)
    assert seen.price is None and seen.currency == "EUR"
    assert any(r.startswith("price not found: ") and "exponent" in r for r in seen.reasons)


def test_an_offer_with_an_implausible_price_never_makes_the_seller_gone():
    node = {"@type": "Product", "name": "Lampe", "offers": [
        {"@type": "Offer", "price": "19.99", "priceCurrency": "EUR", "seller": {"name": "Autre"}},
        {"@type": "Offer", "price": "-5", "priceCurrency": "EUR", "seller": {"name": "Atelier"}}]}
    body = f'<html><head><script type="application/ld+json">{json.dumps(node)}</script></head></html>'.encode()
    seen = observe(body, seller="Atelier")
    assert seen.outcome is not Outcome.OFFER_GONE
    assert seen.price == D("19.99")
    assert any("not judged" in r for r in seen.reasons)


def test_a_plausible_price_is_still_read():
    seen = observe(product_page("379.99"))
    assert (seen.outcome, seen.price, seen.currency) == (Outcome.LISTED, D("379.99"), "EUR")
    assert not any(r.startswith("price not found") for r in seen.reasons)


def test_an_implausible_delivery_fee_is_no_fee():
    node = {"@type": "Product", "name": "Lampe", "offers": {
        "@type": "Offer", "price": "20.00", "priceCurrency": "EUR",
        "shippingDetails": {"shippingRate": {"value": "1e309", "currency": "EUR"}}}}
    body = f'<html><head><script type="application/ld+json">{json.dumps(node)}</script></head></html>'.encode()
    seen = observe(body)
    assert seen.price == D("20.00") and seen.shipping_fee is None
    assert any(r.startswith("shipping fee not found: ") for r in seen.reasons)


def test_a_fee_table_with_an_implausible_fee_is_an_error_not_a_wrong_schedule():
    body = ("<html><body><table><tr><th>Catégorie</th><th>Pourcentage</th><th>Frais minimum</th></tr>"
            "<tr><td>Livres</td><td>15 %</td><td>-5,00 €</td></tr></table></body></html>").encode()
    seen = observe_fees(PageInput(url="https://example.org/fees", body=body), "generic")
    assert seen.outcome is Outcome.ERROR and seen.fee_schedule is None
    assert seen.reasons == ("fee table not read: '-5,00 €' is negative",)
