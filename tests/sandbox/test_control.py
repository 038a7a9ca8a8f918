"""The JSON control API: what tests, the demo and the benchmarks drive the sandbox with."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sandbox.catalog import Product, State
from sandbox.server import RunningSandbox
from tests.sandbox.client import fetch

BODY = {"title": "Lampe en laiton", "price": "45.00", "seller": "Atelier Dupont"}


def control(sandbox: RunningSandbox, path: str) -> str:
    return f"{sandbox.url}/_control/{path}"


def test_put_creates_then_replaces(sandbox: RunningSandbox) -> None:
    created = fetch(control(sandbox, "products/lamp"), "PUT", {**BODY, "shipping_fee": "4.90",
                    "other_offers": [{"seller": "Maison Lefèvre", "price": "44.00"}]})
    assert created.status == 201
    assert created.headers["content-type"] == "application/json"
    product = sandbox.catalog.get("lamp")
    assert product is not None
    assert (product.price, product.shipping_fee, product.state) == (Decimal("45.00"), Decimal("4.90"), State.LISTED)
    assert product.other_offers[0].price == Decimal("44.00") and product.markup == "generic"
    replaced = fetch(control(sandbox, "products/lamp"), "PUT", {**BODY, "price": "39.90"})
    assert replaced.status == 200 and replaced.json()["price"] == "39.90"
    assert sandbox.catalog.get("lamp").other_offers == ()
    assert "39,90 €" in fetch(f"{sandbox.url}/p/lamp").text


def test_get_and_list(sandbox: RunningSandbox) -> None:
    fetch(control(sandbox, "products/listme"), "PUT", BODY)
    one = fetch(control(sandbox, "products/listme")).json()
    assert one["price"] == "45.00" and one["state"] == "listed" and one["currency"] == "EUR"
    ids = [p["id"] for p in fetch(control(sandbox, "products")).json()["products"]]
    assert "listme" in ids
    assert fetch(control(sandbox, "products/absent")).status == 404


def test_patch_is_partial(sandbox: RunningSandbox) -> None:
    fetch(control(sandbox, "products/patched"), "PUT", BODY)
    answer = fetch(control(sandbox, "products/patched"), "PATCH", {"price": "24.99"})
    assert answer.status == 200
    product = sandbox.catalog.get("patched")
    assert product.price == Decimal("24.99") and product.title == "Lampe en laiton"
    fetch(control(sandbox, "products/patched"), "PATCH", {"state": "gone_410"})
    assert sandbox.catalog.get("patched").state == State.GONE_410
    assert fetch(f"{sandbox.url}/p/patched").status == 410
    assert fetch(control(sandbox, "products/absent"), "PATCH", {"price": "1.00"}).status == 404


def test_bare_json_numbers_are_read_without_float(sandbox: RunningSandbox) -> None:
    raw = b'{"title": "T", "seller": "S", "price": 0.1, "shipping_fee": 4.9}'
    assert fetch(control(sandbox, "products/numbers"), "PUT", raw=raw).status == 201
    product = sandbox.catalog.get("numbers")
    assert product.price == Decimal("0.10") and product.shipping_fee == Decimal("4.90")


def test_delete(sandbox: RunningSandbox) -> None:
    fetch(control(sandbox, "products/deleted"), "PUT", BODY)
    assert fetch(control(sandbox, "products/deleted"), "DELETE").status == 200
    assert "deleted" not in sandbox.catalog
    assert fetch(f"{sandbox.url}/p/deleted").status == 404
    assert fetch(control(sandbox, "products/deleted"), "DELETE").status == 404


def test_bulk_creates_listed_products_that_serve(sandbox: RunningSandbox) -> None:
    answer = fetch(control(sandbox, "bulk"), "POST", {"count": 50, "prefix": "bench", "markup": "generic"})
    assert answer.status == 201
    data = answer.json()
    assert data["created"] == 50 and len(set(data["ids"])) == 50
    for product_id in data["ids"][:5] + data["ids"][-2:]:
        product = sandbox.catalog.get(product_id)
        assert product.state == State.LISTED and product.id.startswith("bench-")
        assert fetch(f"{sandbox.url}/p/{product_id}").status == 200


@pytest.mark.parametrize("method, path, body, fragment", [
    ("PATCH", "products/victim", {"state": "vanished"}, "state"),
    ("PATCH", "products/victim", {"price": "abc"}, "price"),
    ("PATCH", "products/victim", {"price": "-1"}, "price"),
    ("PATCH", "products/victim", {"price": "1.999"}, "price"),
    ("PATCH", "products/victim", {"price": "NaN"}, "price"),
    ("PATCH", "products/victim", {"price": True}, "price"),
    ("PATCH", "products/victim", {"shipping_fee": "gratuit"}, "shipping_fee"),
    ("PATCH", "products/victim", {"colour": "red"}, "colour"),
    ("PATCH", "products/victim", {"delay": -2}, "delay"),
    ("PATCH", "products/victim", {"other_offers": [{"seller": "X"}]}, "other_offers"),
    ("PATCH", "products/victim", {"id": "other"}, "id"),
    ("PATCH", "products/victim", ["not", "an", "object"], "object"),
    ("PUT", "products/victim", {"title": "no price", "seller": "S"}, "price"),
    ("PUT", "products/victim", {**BODY, "currency": "euro"}, "currency"),
    ("PUT", "products/victim", {**BODY, "markup": "../etc"}, "markup"),
    ("POST", "bulk", {"count": "many"}, "count"),
    ("POST", "bulk", {"count": 3, "prefix": "bad prefix!"}, "id"),
])
def test_bad_input_is_a_one_line_400_and_changes_nothing(
    sandbox: RunningSandbox, method: str, path: str, body: object, fragment: str
) -> None:
    sandbox.catalog.put(Product(id="victim", title="Intact", price=Decimal("9.99"), seller="S"))
    before = sandbox.catalog.get("victim")
    count = len(sandbox.catalog)
    answer = fetch(control(sandbox, path), method, body)
    assert answer.status == 400
    assert answer.text.count("\n") == 1 and answer.text.endswith("\n")
    error = answer.json()["error"]
    assert fragment in error and "\n" not in error
    assert sandbox.catalog.get("victim") == before and len(sandbox.catalog) == count


def test_malformed_json_is_400(sandbox: RunningSandbox) -> None:
    answer = fetch(control(sandbox, "products/broken"), "PUT", raw=b"{title: ")
    assert answer.status == 400 and "JSON" in answer.json()["error"]
    assert "broken" not in sandbox.catalog


def test_unknown_control_route_and_method(sandbox: RunningSandbox) -> None:
    assert fetch(control(sandbox, "nothing")).status == 404
    assert fetch(control(sandbox, "bulk")).status == 405
    assert json.loads(fetch(control(sandbox, "products"), "POST", {}).body)["error"]


def test_storefront_controls_and_a_hidden_offer(sandbox: RunningSandbox) -> None:
    for n in range(3):
        fetch(control(sandbox, f"products/front{n}"), "PUT", {**BODY, "seller": "Vitrine Test"})
    assert fetch(control(sandbox, "shops/vitrine-test"), "PATCH", {"page_size": 2}).json()["page_size"] == 2
    first = fetch(f"{sandbox.url}/shop/vitrine-test")
    assert first.status == 200 and "front0" in first.text and 'rel="next"' in first.text
    fetch(control(sandbox, "products/front2"), "PATCH", {"in_storefront": False})
    assert "front2" not in fetch(f"{sandbox.url}/shop/vitrine-test?page=2").text
    assert fetch(f"{sandbox.url}/p/front2").status == 200  # its page stays
    for bad in ({"page_size": 0}, {"closed": "yes"}, {"wall_page": -1}, {"colour": "red"}):
        refused = fetch(control(sandbox, "shops/vitrine-test"), "PATCH", bad)
        assert refused.status == 400 and "storefront settings" in refused.json()["error"]
    assert fetch(control(sandbox, "shops")).json()["shops"]["vitrine-test"]["page_size"] == 2  # intact
    fetch(control(sandbox, "shops/vitrine-test"), "PATCH", {"closed": True})
    assert fetch(f"{sandbox.url}/shop/vitrine-test").status == 410
    assert fetch(f"{sandbox.url}/shop/nobody").status == 404
    assert fetch(control(sandbox, "products/front0"), "PATCH", {"in_storefront": "no"}).status == 400
