"""The in-memory catalog: validation, versions, bulk creation, use from several threads."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from sandbox.catalog import Catalog, InvalidProduct, Offer, Product, State


def product(**fields: object) -> Product:
    values: dict = {"id": "p1", "title": "Tasse", "price": "19.99", "seller": "Atelier Dupont"}
    values.update(fields)
    return Product(**values)


def test_strings_are_coerced_to_decimals_and_states() -> None:
    p = product(price="7", shipping_fee="4.9", state="out_of_stock",
                other_offers=[{"seller": "B", "price": "3.5"}])
    assert p.price == Decimal("7.00") and str(p.price) == "7.00"
    assert p.shipping_fee == Decimal("4.90") and p.state is State.OUT_OF_STOCK
    assert p.other_offers == (Offer("B", Decimal("3.50"), Decimal("0")),)


@pytest.mark.parametrize("fields", [
    {"price": 19.99},  # a float never becomes money
    {"price": "1e400"}, {"price": "Infinity"}, {"price": "-0.01"}, {"price": "0.001"},
    {"state": "deleted"}, {"id": "a b"}, {"id": ""}, {"title": "  "}, {"seller": None},
    {"currency": "eur"}, {"delay": 601}, {"delay": float("nan")}, {"other_offers": "x"},
    {"markup": "Amazon"},
])
def test_invalid_fields_are_refused(fields: dict) -> None:
    with pytest.raises(InvalidProduct):
        product(**fields)


def test_every_write_gets_a_new_version_and_a_bad_patch_changes_nothing() -> None:
    catalog = Catalog()
    first = catalog.put(product())
    second = catalog.patch("p1", price=Decimal("24.99"))
    assert second.version > first.version and second.price == Decimal("24.99")
    with pytest.raises(InvalidProduct):
        catalog.patch("p1", price="cheap")
    with pytest.raises(KeyError):
        catalog.patch("absent", price="1.00")
    assert catalog.get("p1") == second


def test_bulk_is_deterministic_and_replaces_same_ids() -> None:
    catalog = Catalog()
    made = catalog.bulk(12, prefix="x", markup="amazon")
    assert [p.id for p in made[:2]] == ["x-00000", "x-00001"] and len(catalog) == 12
    assert all(p.state is State.LISTED and p.markup == "amazon" for p in made)
    assert len({p.price for p in made}) == 12
    again = Catalog().bulk(12, prefix="x", markup="amazon")
    assert [(p.price, p.shipping_fee, p.title) for p in again] == [(p.price, p.shipping_fee, p.title) for p in made]
    catalog.bulk(12, prefix="x")
    assert len(catalog) == 12


def test_bulk_with_a_bad_prefix_creates_nothing() -> None:
    catalog = Catalog()
    with pytest.raises(InvalidProduct):
        catalog.bulk(3, prefix="no spaces")
    assert len(catalog) == 0


def test_concurrent_patches_are_all_kept() -> None:
    catalog = Catalog(product(id=f"p{n}") for n in range(8))
    barrier = threading.Barrier(8)

    def bump(n: int) -> None:
        barrier.wait()
        for cents in range(1, 201):
            catalog.patch(f"p{n}", price=Decimal(cents) / 100)

    threads = [threading.Thread(target=bump, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {p.price for p in catalog.all()} == {Decimal("2.00")}
    assert len({p.version for p in catalog.all()}) == 8
