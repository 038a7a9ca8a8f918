"""Rendering: money formats, the view the templates see, and safety of the embedded JSON."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from sandbox.catalog import Offer, Product
from sandbox.render import Renderer, en_money, fr_money, view_of
from sandbox.server import RunningSandbox
from spiders import money
from tests.sandbox.client import fetch


@pytest.mark.parametrize("amount, fr, en", [
    ("0", "0,00 €", "€0.00"),
    ("19.99", "19,99 €", "€19.99"),
    ("999.5", "999,50 €", "€999.50"),
    ("1299", "1 299,00 €", "€1,299.00"),
    ("1234567.8", "1 234 567,80 €", "€1,234,567.80"),
])
def test_money_formats(amount: str, fr: str, en: str) -> None:
    assert fr_money(Decimal(amount), "EUR") == fr
    assert en_money(Decimal(amount), "EUR") == en
    assert money.parse(fr, decimal_separator=",") == (Decimal(amount), "EUR")


def test_other_currencies() -> None:
    assert fr_money(Decimal("5"), "GBP") == "5,00 £" and en_money(Decimal("5"), "CHF") == "CHF 5.00"


def test_offer_removed_never_keeps_a_seller_that_passes_for_the_original() -> None:
    p = Product(id="p", title="T", price="10", seller="Autre", state="offer_removed",
                other_offers=(Offer("Autre Boutique", Decimal("11")),))
    view = view_of(p)
    assert not any(o.seller.casefold().startswith("autre") for o in view.offers)
    assert view.seller == "Vendeur Partenaire" and view.price == Decimal("10.00")


def test_title_cannot_break_out_of_the_json_ld_script() -> None:
    title = 'Évier </script><script>alert("x")</script> & co'
    html = Renderer().product_page(Product(id="p", title=title, price="10", seller="S")).decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == title
    assert "<script>alert" not in html


def test_served_pages_stay_consistent_while_another_thread_patches(sandbox: RunningSandbox) -> None:
    sandbox.catalog.put(Product(id="moving", title="T", price="10.00", seller="S"))
    stop = False

    def patcher() -> None:
        cents = 1000
        while not stop:
            cents += 1
            sandbox.catalog.patch("moving", price=Decimal(cents) / 100)

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(patcher)
        try:
            pages = [fetch(f"{sandbox.url}/p/moving").text for _ in range(40)]
        finally:
            stop = True
        running.result()
    seen = set()
    for html in pages:
        ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
        visible = re.search(r'id="price">([^<]+)<', html).group(1)
        assert money.parse(visible, decimal_separator=",")[0] == Decimal(ld["offers"]["price"])
        seen.add(visible)
    assert len(seen) > 1
