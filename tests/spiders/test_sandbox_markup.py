"""The sandbox's eBay, Leboncoin and Rakuten markups read back through their adapters."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.catalog import Offer as SandboxOffer
from sandbox.catalog import Product as SandboxProduct
from sandbox.render import Renderer
from spiders import registry
from spiders.page import PageInput

URLS = {
    "ebay": "https://www.ebay.fr/itm/226612345678",
    "leboncoin": "https://www.leboncoin.fr/ad/velos/2745612345",
    "rakuten": "https://fr.shopping.rakuten.com/offer/buy/3820499960/",
}
SELLER = "Cycles Martin"


def observe(marketplace: str, product: SandboxProduct):
    body = Renderer().product_page(product)
    return registry.by_name(marketplace).observe(PageInput(url=URLS[marketplace], body=body, seller=SELLER))


@pytest.mark.parametrize("marketplace", sorted(URLS))
@pytest.mark.parametrize("state, fee, outcome", [
    ("listed", "0.00", "listed"), ("listed", "4.90", "listed"), ("out_of_stock", "4.90", "unavailable"),
])
def test_sandbox_page_reads_back(marketplace, state, fee, outcome):
    product = SandboxProduct(id="p1", title="Vélo « Rockrider » & casque", price="1299.90", seller=SELLER,
                             markup=marketplace, state=state, shipping_fee=fee,
                             other_offers=(SandboxOffer(seller="Autre Boutique", price="1310.00", shipping_fee="5.00"),))
    observation = observe(marketplace, product)
    assert observation.outcome == outcome, observation.reasons
    assert observation.title == "Vélo « Rockrider » & casque"
    assert observation.price == Decimal("1299.90")
    assert observation.seller == SELLER
    assert observation.shipping_fee == Decimal(fee)


@pytest.mark.parametrize("marketplace", sorted(URLS))
def test_sandbox_offer_removed_is_offer_gone(marketplace):
    product = SandboxProduct(id="p1", title="Vélo", price="450.00", seller=SELLER, markup=marketplace,
                             state="offer_removed")
    assert observe(marketplace, product).outcome == "offer_gone"
