"""The shared French-retail base, and each of its adapters reading its own sandbox markup back."""
from __future__ import annotations

from decimal import Decimal

import pytest

from detector.model import Outcome
from sandbox.catalog import Offer, Product, State
from sandbox.render import Renderer
from spiders import registry
from spiders.fr_retail import FrRetailPage
from spiders.page import PageInput

URLS = {
    "cdiscount": "https://www.cdiscount.com/maison/f-117-sb42.html",
    "fnac": "https://www.fnac.com/a15052046/Lampe",
    "laredoute": "https://www.laredoute.fr/ppdp/prod-500787340.aspx",
    "manomano": "https://www.manomano.fr/p/lampe-12345678",
    "conforama": "https://www.conforama.fr/lampe/p/526133",
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def read_back(renderer: Renderer, product: Product, seller: str | None = None):
    body = renderer.product_page(product)
    return registry.by_name(product.markup).observe(PageInput(url=URLS[product.markup], body=body, seller=seller))


@pytest.mark.parametrize("markup", sorted(URLS))
def test_reads_its_sandbox_page(renderer, markup):
    product = Product(id="sb42", title="Lampe en laiton", price=Decimal("1299.90"), seller="Atelier Dupont",
                      markup=markup, shipping_fee=Decimal("4.90"),
                      other_offers=(Offer(seller="Lumière & Co", price=Decimal("1250.00")),))
    seen = read_back(renderer, product, seller="atelier dupont")
    assert (seen.outcome, seen.title, seen.price, seen.currency) == (Outcome.LISTED, "Lampe en laiton", Decimal("1299.90"), "EUR")
    assert (seen.seller, seen.shipping_fee) == ("Atelier Dupont", Decimal("4.90"))
    assert "Lumière & Co" in [offer.seller for offer in seen.offers]


@pytest.mark.parametrize("markup", sorted(URLS))
def test_reads_free_delivery_and_out_of_stock(renderer, markup):
    product = Product(id="sb43", title="Tapis berbère", price=Decimal("89"), seller="Tissages du Sud",
                      markup=markup, state=State.OUT_OF_STOCK)
    seen = read_back(renderer, product)
    assert (seen.outcome, seen.availability) == (Outcome.UNAVAILABLE, "OutOfStock")
    assert (seen.price, seen.shipping_fee, seen.seller) == (Decimal("89.00"), Decimal("0.00"), "Tissages du Sud")


@pytest.mark.parametrize("markup", sorted(URLS))
def test_offer_removed_is_offer_gone(renderer, markup):
    product = Product(id="sb44", title="Vase", price=Decimal("35"), seller="Poterie Martin", markup=markup,
                      state=State.OFFER_REMOVED)
    assert read_back(renderer, product, seller="Poterie Martin").outcome == Outcome.OFFER_GONE


def page(html: str, url: str = "https://www.laredoute.fr/ppdp/prod-1.aspx") -> FrRetailPage:
    return FrRetailPage(PageInput(url=url, body=html.encode()))


@pytest.mark.parametrize(
    "text, amount",
    [("109<sup>€26</sup>", "109.26"), ("1 299,99 €", "1299.99"), ("1\u202f299€99", "1299.99"), ("99€", "99"), ("379.99", "379.99")],
)
def test_french_price_formats(text, amount):
    shown = page(f"<p>{text}</p>")
    assert shown.amount(shown.first_text(("//p",))) == Decimal(amount)


@pytest.mark.parametrize(
    "text, fee",
    [("Livraison gratuite (1)", "0.00"), ("Livraison offerte", "0.00"), ("Frais de port +7€60", "7.60"),
     ("Livraison à domicile : 39,00 €", "39.00"), ("Retrait en magasin", None)],
)
def test_delivery_fee_words(text, fee):
    got = page("<p></p>").fee_from_text(text)
    assert got == (Decimal(fee) if fee else None)


def test_seller_line_stops_at_the_name():
    class Shop(FrRetailPage):
        seller_line_xpaths = ("//p",)

    shop = Shop(PageInput(url="https://x.fr/", body="<p>Vendu et expédié par Maison Léa - 4,8/5 (120 avis)</p>".encode()))
    assert shop.seller() == "Maison Léa"
