"""Example products for `vigie sandbox`: one per state, so each page kind can be looked at."""
from __future__ import annotations

from decimal import Decimal

from sandbox.catalog import Offer, Product, State

SELLER = "Atelier Dupont"


def example_products() -> list[Product]:
    others = (
        Offer(seller="Maison Lefèvre", price=Decimal("21.50"), shipping_fee=Decimal("0")),
        Offer(seller="Bricolage Express", price=Decimal("18.90"), shipping_fee=Decimal("5.90")),
    )
    products = [
        Product(id="tasse-ceramique", title="Tasse en céramique émaillée 35 cl", price=Decimal("19.99"),
                seller=SELLER, other_offers=others),
        Product(id="lampe-laiton", title="Lampe de bureau en laiton", price=Decimal("1299.00"),
                shipping_fee=Decimal("4.90"), seller=SELLER),
    ]
    for n, state in enumerate(s for s in State if s != State.LISTED):
        products.append(Product(
            id=f"exemple-{state.value.replace('_', '-')}",
            title=f"Exemple « {state.value} » : coussin en lin lavé n°{n + 1}",
            price=Decimal("24.90") + n,
            shipping_fee=Decimal("0") if n % 2 else Decimal("3.99"),
            seller=SELLER,
            other_offers=others if state == State.OFFER_REMOVED else (),
            state=state,
        ))
    return products
