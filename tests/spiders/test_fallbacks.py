"""The generic reader's pieces: variant choice, scripts' state, the visible offer."""
from __future__ import annotations

from decimal import Decimal

import lxml.html
import pytest

from spiders import embedded_state
from spiders.variants import Variant, choose, selectors
from spiders.visible_offer import VisibleOffer


def variant(*ids: str, word: str | None, price: str | None = None) -> Variant:
    return Variant(ids=frozenset(ids), availability=word, price=Decimal(price) if price else None, label=ids[0])


SIZES = [variant("s", "101", word="OutOfStock"), variant("m", "102", word="InStock"), variant("l", "103", word="InStock")]


@pytest.mark.parametrize("url, availability, label", [
    ("https://shop.example/p/tee", "InStock", "m"),  # any variant buyable: the first buyable one
    ("https://shop.example/p/tee?variant=101", "OutOfStock", "s"),  # the URL's variant decides
    ("https://shop.example/p/tee?size=L", "InStock", "l"),
    ("https://shop.example/p/tee?attribute_pa_size=s", "OutOfStock", "s"),  # WooCommerce
    ("https://shop.example/p/tee?variant=999", "InStock", "m"),  # a variant the page does not list: any
])
def test_the_urls_variant_decides_else_any_buyable_variant(url, availability, label):
    chosen = choose(SIZES, url)
    assert (chosen.availability, chosen.variant.label) == (availability, label)


def test_every_variant_sold_out_is_unavailable_and_no_stated_stock_is_unknown():
    sold_out = [variant("s", word="OutOfStock"), variant("m", word="SoldOut")]
    assert choose(sold_out, None).availability == "OutOfStock"
    assert "every variant sold out" in choose(sold_out, None).reason
    assert choose([variant("s", word=None), variant("m", word=None)], None).availability is None
    assert choose([], "https://shop.example/?variant=1").variant is None


def test_selectors_read_only_variant_keys():
    values, path = selectors("https://shop.example/Products/Tee?utm_source=x&variant=12&color=Bleu")
    assert values == frozenset({"12", "bleu"}) and path == "/products/tee"


@pytest.mark.parametrize("amount, text, found", [
    ("1299.00", "Prix : 1 299,00 €", True),
    ("1299.00", "$1,299.00", True),
    ("1299.00", "1299 zł", True),
    ("30000", "₩30,000", True),
    ("19.99", "19,99 €", True),
    ("19.99", "119,99 €", False),  # digits inside a longer number are not the amount
    ("19.99", "19,90 €", False),
])
def test_an_amount_is_shown_only_when_the_page_writes_it(amount, text, found):
    assert embedded_state.shown(Decimal(amount), text) is found


def test_app_state_price_not_shown_on_the_page_is_not_taken():
    page = lxml.html.fromstring(
        '<html><body><h1>Casque audio Pro</h1><p>Prix : 59,00 €</p><script id="__NEXT_DATA__" type="application/json">'
        '{"props":{"product":{"name":"Casque audio Pro","price":4900,"inStock":true}}}</script></body></html>')
    found = embedded_state.read(page, "", titles=["Casque audio Pro"], visible_text="Casque audio Pro Prix : 59,00 €")
    assert found.availability == "InStock" and found.price is None
    assert "not shown on the page" in found.price_note


def test_app_state_needs_the_pages_own_title():
    page = lxml.html.fromstring(
        '<html><body><h1>Casque audio Pro</h1><script id="__NEXT_DATA__" type="application/json">'
        '{"props":{"related":{"name":"Câble jack","price":9,"inStock":false}}}</script></body></html>')
    assert embedded_state.read(page, "", titles=["Casque audio Pro"], visible_text="") is None


def visible(body: str) -> VisibleOffer:
    return VisibleOffer(lxml.html.fromstring(f"<html><body>{body}</body></html>"))


def test_stock_words_match_whole_words_only():
    offer = visible('<div><h1>Lampe</h1><p>Disponible en magasin</p><p>12,00 €</p></div>')
    assert offer.sold_out_word() is None and offer.in_stock_word() == "disponible"
    offer = visible('<div><h1>Lampe</h1><p>Produit indisponible</p><p>12,00 €</p></div>')
    assert offer.sold_out_word() == "produit indisponible" and offer.in_stock_word() is None


def test_the_buy_control_is_the_one_after_the_title_and_its_state_is_read():
    offer = visible('<div class="mini-cart"><button class="add-to-cart">Add to cart</button></div>'
                    '<div><h1>Lampe</h1><span class="price">£12.00</span>'
                    '<button class="add-to-cart" disabled>Sold out</button></div>')
    assert offer.buy_control is not None and offer.buy_control.enabled is False
    assert offer.price() == (Decimal("12.00"), "GBP")


def test_struck_through_and_was_prices_are_not_the_price():
    offer = visible('<div><h1>Lampe</h1><s>30,00 €</s><span class="was-price">28,00 €</span>'
                    '<span class="price">24,00 €</span><button>Ajouter au panier</button></div>')
    assert offer.price() == (Decimal("24.00"), "EUR")
