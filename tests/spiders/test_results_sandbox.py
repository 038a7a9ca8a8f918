"""The sandbox storefront's page object, on pages the sandbox renders: items, positions, next page, and
every page that is not a storefront read whole (wall, error, gone, unknown layout) incomplete with no items."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.catalog import Catalog, Product
from sandbox.render import Renderer
from sandbox.storefront import Storefronts
from spiders.page import PageInput
from spiders.results import parser_for

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def fronts() -> Storefronts:
    catalog = Catalog(Product(id=f"p{n}", title=f"Article {n}", price=Decimal("1299.00"), seller="Atelier Dupont")
                      for n in range(7))
    catalog.put(Product(id="x", title="Ailleurs", price=Decimal("1.00"), seller="Autre"))
    fronts = Storefronts(catalog, Renderer())
    fronts.set("atelier-dupont", page_size=3)
    return fronts


def read(fronts: Storefronts, page: int = 1, shop: str = "atelier-dupont"):
    response = fronts.page(f"/shop/{shop}", {"page": [str(page)]}, "127.0.0.1")
    url = f"{BASE}/shop/{shop}?page={page}"
    return parser_for("shop", "sandbox")(PageInput(url=url, body=response.body, status=response.status))


def test_a_page_lists_its_offers_in_order_with_the_next_page(fronts):
    first = read(fronts)
    assert first.complete and first.total_results == 7
    assert [(i.id, i.position, i.price, i.currency) for i in first.items] == [
        ("p0", 1, Decimal("1299.00"), "EUR"), ("p1", 2, Decimal("1299.00"), "EUR"), ("p2", 3, Decimal("1299.00"), "EUR")]
    assert first.items[0].url == f"{BASE}/p/p0" and first.next_page == f"{BASE}/shop/atelier-dupont?page=2"
    last = read(fronts, 3)
    assert [i.position for i in last.items] == [7] and last.next_page is None


def test_a_hidden_offer_leaves_the_storefront(fronts):
    fronts.catalog.patch("p1", in_storefront=False)
    assert "p1" not in [i.id for n in (1, 2, 3) for i in read(fronts, n).items]


@pytest.mark.parametrize("setting, reason", [({"wall_page": 1}, "blocked"), ({"closed": True}, "gone")])
def test_what_is_not_a_whole_storefront_page_is_incomplete(fronts, setting, reason):
    fronts.set("atelier-dupont", **setting)
    page = read(fronts)
    assert not page.complete and page.items == () and reason in page.reasons[0]
    assert page.extra.get("gone", False) is (reason == "gone")


def test_an_unknown_layout_and_an_error_are_incomplete():
    reader = parser_for("shop", "sandbox")
    assert not reader(PageInput(url=BASE, body=b"<html><body><p>Bienvenue</p></body></html>")).complete
    assert "error" in reader(PageInput(url=BASE, body=b"oops", status=503)).reasons[0]
