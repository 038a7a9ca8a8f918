"""The JSON control API under /_control/: how tests, the demo and benchmarks drive the sandbox.

    GET    /_control/products            every product
    GET    /_control/products/{id}       one product
    PUT    /_control/products/{id}       create or replace (title, price, seller required)
    PATCH  /_control/products/{id}       partial update, e.g. {"state": "not_found"}, {"price": "24.99"}
    DELETE /_control/products/{id}
    POST   /_control/bulk                {"count": N, "prefix": "b", "markup": "generic"}
    ...    /_control/fees[/{id}]         seller fee pages (sandbox.fees)
    ...    /_control/shops[/{slug}]      sellers' storefronts (sandbox.storefront)
    ...    /_control/search              the search results pages (sandbox.search)

Amounts travel as strings ("19.99"); a bad body gets a 400 with {"error": "<one line>"} and leaves
the catalog unchanged.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sandbox import fees
from sandbox.catalog import Catalog, InvalidProduct, Product
from sandbox.http import Response

PREFIX = "/_control/"
_BULK_FIELDS = {"count", "prefix", "markup", "seller"}


def _parse(body: bytes) -> Any:
    if not body.strip():
        raise InvalidProduct("body: expected a JSON object, got nothing")
    try:
        # parse_float=Decimal: a bare 19.99 never goes through float
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidProduct(f"body: not valid JSON ({exc})") from None


class ControlApi:
    def __init__(self, catalog: Catalog, fee_book: fees.FeeBook | None = None, storefronts: Any = None,
                 search: Any = None):
        self.catalog = catalog
        self.fees = fee_book if fee_book is not None else fees.FeeBook()
        self.storefronts = storefronts  # sandbox.storefront.Storefronts
        self.search = search  # sandbox.search.Search

    def handle(self, method: str, path: str, body: bytes) -> Response:
        parts = path[len(PREFIX):].strip("/").split("/")
        if parts[0] == "fees":
            return fees.control(self.fees, method, parts[1:], body)
        if parts[0] == "shops" and self.storefronts is not None:
            return self.storefronts.control(method, parts[1:], body)
        if parts == ["search"] and self.search is not None:
            return self.search.control(method, body)
        try:
            if parts == ["products"]:
                if method != "GET":
                    return Response.error(405, f"{method} not allowed on {path}")
                return Response.json(200, {"products": [p.to_json() for p in self.catalog.all()]})
            if len(parts) == 2 and parts[0] == "products" and parts[1]:
                return self._product(method, parts[1], body)
            if parts == ["bulk"]:
                if method != "POST":
                    return Response.error(405, f"{method} not allowed on {path}")
                return self._bulk(_parse(body))
        except InvalidProduct as exc:
            return Response.error(400, str(exc))
        return Response.error(404, f"no control route {path}")

    def _product(self, method: str, product_id: str, body: bytes) -> Response:
        if method == "GET":
            product = self.catalog.get(product_id)
            if product is None:
                return Response.error(404, f"no product {product_id!r}")
            return Response.json(200, product.to_json())
        if method == "PUT":
            product = Product.from_json(product_id, _parse(body))
            existed = product_id in self.catalog
            return Response.json(200 if existed else 201, self.catalog.put(product).to_json())
        if method == "PATCH":
            data = _parse(body)
            try:
                return Response.json(200, self.catalog.patch_json(product_id, data).to_json())
            except KeyError:
                return Response.error(404, f"no product {product_id!r}")
        if method == "DELETE":
            if not self.catalog.delete(product_id):
                return Response.error(404, f"no product {product_id!r}")
            return Response.json(200, {"deleted": product_id})
        return Response.error(405, f"{method} not allowed on a product")

    def _bulk(self, data: object) -> Response:
        if not isinstance(data, dict):
            raise InvalidProduct("body: expected a JSON object")
        unknown = set(data) - _BULK_FIELDS
        if unknown:
            raise InvalidProduct(f"unknown field(s): {', '.join(sorted(unknown))}")
        if "count" not in data:
            raise InvalidProduct("missing field(s): count")
        options = {key: data[key] for key in ("prefix", "markup", "seller") if key in data}
        created = self.catalog.bulk(data["count"], **options)
        return Response.json(201, {"created": len(created), "ids": [p.id for p in created]})
