"""Each product state, as a crawler sees it over loopback."""
from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest

from sandbox.catalog import Catalog, Offer, Product, State
from sandbox.examples import example_products
from sandbox.server import RunningSandbox, run_in_thread
from spiders import walls
from tests.sandbox.client import fetch

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def put(sandbox: RunningSandbox, product_id: str, **fields: object) -> Product:
    values: dict = {"title": "Tasse en céramique", "price": Decimal("19.99"), "seller": "Atelier Dupont"}
    values.update(fields)
    return sandbox.catalog.put(Product(id=product_id, **values))


def jsonld(html: str) -> list[dict]:
    return [json.loads(block) for block in JSONLD.findall(html)]


def test_listed_page_has_schema_org_offer_and_french_visible_fields(sandbox: RunningSandbox) -> None:
    put(sandbox, "listed", price=Decimal("1299"), shipping_fee=Decimal("4.90"))
    page = fetch(f"{sandbox.url}/p/listed")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    [data] = jsonld(page.text)
    assert data["@type"] == "Product" and data["name"] == "Tasse en céramique"
    offer = data["offers"]
    assert offer["price"] == "1299.00" and offer["priceCurrency"] == "EUR"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["seller"] == {"@type": "Organization", "name": "Atelier Dupont"}
    assert offer["shippingDetails"]["shippingRate"]["value"] == "4.90"
    assert "1 299,00 €" in page.text
    assert "Vendu par" in page.text and "Atelier Dupont" in page.text
    assert "Livraison : 4,90 €" in page.text
    assert "Ajouter au panier" in page.text
    assert "indisponible" not in page.text


def test_free_delivery_and_other_offers_are_extra_schema_org_offers(sandbox: RunningSandbox) -> None:
    put(sandbox, "multi", other_offers=(Offer("Maison Lefèvre", Decimal("21.50"), Decimal("2.00")),))
    page = fetch(f"{sandbox.url}/p/multi")
    [data] = jsonld(page.text)
    assert [(o["seller"]["name"], o["price"]) for o in data["offers"]] == [
        ("Atelier Dupont", "19.99"), ("Maison Lefèvre", "21.50")]
    assert "Livraison gratuite" in page.text
    assert "21,50 €" in page.text and "Maison Lefèvre" in page.text


def test_out_of_stock(sandbox: RunningSandbox) -> None:
    put(sandbox, "oos", state=State.OUT_OF_STOCK)
    page = fetch(f"{sandbox.url}/p/oos")
    assert page.status == 200
    [data] = jsonld(page.text)
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "Actuellement indisponible" in page.text
    assert "Ajouter au panier" not in page.text


@pytest.mark.parametrize("others", [(), (Offer("Maison Lefèvre", Decimal("22.00")),)])
def test_offer_removed_keeps_the_page_without_the_original_seller(sandbox: RunningSandbox, others: tuple) -> None:
    put(sandbox, "removed", state="offer_removed", other_offers=others)
    page = fetch(f"{sandbox.url}/p/removed")
    assert page.status == 200
    [data] = jsonld(page.text)
    offers = data["offers"] if isinstance(data["offers"], list) else [data["offers"]]
    sellers = [o["seller"]["name"] for o in offers]
    assert "Atelier Dupont" not in page.text
    assert sellers == (["Maison Lefèvre"] if others else ["Autre Vendeur"])
    assert "Ajouter au panier" in page.text


@pytest.mark.parametrize("state, status", [("not_found", 404), ("gone_410", 410)])
def test_gone_statuses(sandbox: RunningSandbox, state: str, status: int) -> None:
    put(sandbox, f"gone-{status}", state=state)
    page = fetch(f"{sandbox.url}/p/gone-{status}")
    assert page.status == status
    assert not jsonld(page.text)


def test_unknown_product_is_404(sandbox: RunningSandbox) -> None:
    assert fetch(f"{sandbox.url}/p/never-existed").status == 404


def test_redirects(sandbox: RunningSandbox) -> None:
    put(sandbox, "to-search", state="redirect_search", title="Lampe en laiton")
    put(sandbox, "to-home", state="redirect_home")
    search = fetch(f"{sandbox.url}/p/to-search")
    assert search.status == 302 and search.headers["location"] == "/search?q=Lampe+en+laiton"
    home = fetch(f"{sandbox.url}/p/to-home")
    assert home.status == 302 and home.headers["location"] == "/"


def test_search_and_home_are_not_product_pages(sandbox: RunningSandbox) -> None:
    put(sandbox, "lamp", title="Lampe en laiton", price=Decimal("45.00"))
    results = fetch(f"{sandbox.url}/search?q=lampe+LAITON")
    assert results.status == 200
    assert "/p/lamp" in results.text and "45,00 €" in results.text
    assert "Ajouter au panier" not in results.text and not jsonld(results.text)
    home = fetch(f"{sandbox.url}/")
    assert home.status == 200 and "Bienvenue" in home.text and not jsonld(home.text)


def test_soft_404(sandbox: RunningSandbox) -> None:
    put(sandbox, "soft", state="soft_404")
    page = fetch(f"{sandbox.url}/p/soft")
    assert page.status == 200
    assert "Page introuvable" in page.text and "Cette page n'existe plus" in page.text
    assert not jsonld(page.text) and "19,99" not in page.text and "Tasse" not in page.text


def test_bot_wall_is_a_small_datadome_challenge(sandbox: RunningSandbox) -> None:
    put(sandbox, "wall", state="bot_wall")
    page = fetch(f"{sandbox.url}/p/wall")
    assert page.status == 200
    assert "'host':'geo.captcha-delivery.com'" in page.text
    assert 'src="https://ct.captcha-delivery.com/c.js"' in page.text
    assert 600 < len(page.body) < 1500
    assert walls.detect_wall(page.text) == "DataDome captcha"
    assert "Tasse" not in page.text


def test_rate_limited_and_server_error(sandbox: RunningSandbox) -> None:
    put(sandbox, "limited", state="rate_limited")
    put(sandbox, "broken", state="server_error")
    limited = fetch(f"{sandbox.url}/p/limited")
    assert limited.status == 429 and int(limited.headers["retry-after"]) > 0
    assert fetch(f"{sandbox.url}/p/broken").status == 503


def test_slow_delays_without_blocking_other_requests(sandbox: RunningSandbox) -> None:
    put(sandbox, "slow", state="slow", delay=0.6)
    put(sandbox, "fast")
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        slow = pool.submit(fetch, f"{sandbox.url}/p/slow")
        time.sleep(0.1)
        fast = fetch(f"{sandbox.url}/p/fast")
        fast_done = time.monotonic() - started
        slow_page = slow.result()
        slow_done = time.monotonic() - started
    assert slow_page.status == 200 and jsonld(slow_page.text)[0]["offers"]["price"] == "19.99"
    assert slow_done >= 0.6
    assert fast.status == 200 and fast_done < 0.5


def test_js_rendered_shell_has_no_data_until_its_script_fetches_it(sandbox: RunningSandbox) -> None:
    put(sandbox, "spa", state="js_rendered", price=Decimal("34.50"))
    shell = fetch(f"{sandbox.url}/p/spa")
    assert shell.status == 200
    assert "Chargement…" in shell.text
    assert "application/ld+json" not in shell.text and "34,50" not in shell.text and "34.50" not in shell.text
    api_url = re.search(r'fetch\("([^"]+)"', shell.text).group(1)
    hydrated = fetch(f"{sandbox.url}{api_url}")
    assert hydrated.status == 200
    html = hydrated.json()["html"]
    assert jsonld(html)[0]["offers"]["price"] == "34.50" and "34,50 €" in html


def test_api_answers_only_for_client_rendered_products(sandbox: RunningSandbox) -> None:
    put(sandbox, "plain")
    assert fetch(f"{sandbox.url}/api/p/plain").status == 404


def test_patch_changes_what_is_served_next(sandbox: RunningSandbox) -> None:
    put(sandbox, "changing")
    assert "19,99 €" in fetch(f"{sandbox.url}/p/changing").text
    sandbox.catalog.patch("changing", price="24.99")
    assert "24,99 €" in fetch(f"{sandbox.url}/p/changing").text
    fetch(f"{sandbox.url}/_control/products/changing", "PATCH", {"state": "not_found"})
    assert fetch(f"{sandbox.url}/p/changing").status == 404
    fetch(f"{sandbox.url}/_control/products/changing", "PATCH", {"state": "listed"})
    assert "24,99 €" in fetch(f"{sandbox.url}/p/changing").text


def test_unknown_markup_falls_back_to_generic(sandbox: RunningSandbox) -> None:
    put(sandbox, "odd-markup", markup="nosuchmarketplace")
    page = fetch(f"{sandbox.url}/p/odd-markup")
    assert page.status == 200 and jsonld(page.text)[0]["name"] == "Tasse en céramique"


def test_robots_and_head_and_methods(sandbox: RunningSandbox) -> None:
    robots = fetch(f"{sandbox.url}/robots.txt")
    assert robots.status == 200 and "Allow: /" in robots.text
    put(sandbox, "headed")
    head = fetch(f"{sandbox.url}/p/headed", "HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 1000
    assert fetch(f"{sandbox.url}/p/headed", "POST", {}).status == 405
    assert fetch(f"{sandbox.url}/nowhere").status == 404


def test_every_example_product_serves_its_state() -> None:
    expected = {State.NOT_FOUND: 404, State.GONE_410: 410, State.REDIRECT_SEARCH: 302, State.REDIRECT_HOME: 302,
                State.RATE_LIMITED: 429, State.SERVER_ERROR: 503}
    products = [p if p.state != State.SLOW else replace(p, delay=0.05) for p in example_products()]
    assert {p.state for p in products} == set(State)
    with run_in_thread(Catalog(products)) as running:
        for p in products:
            assert fetch(f"{running.url}/p/{p.id}").status == expected.get(p.state, 200), p.state
