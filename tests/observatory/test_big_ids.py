"""Ids beyond the id columns (or below 1) are refused at the boundary on every route that takes one: 4xx, never a 500."""
from __future__ import annotations

import pytest

from observatory import account_page, api, login, pages, users_admin
from observatory.ids import MAX_ID
from tests.observatory.conftest import csrf_of, log_in

TOO_BIG = (2**31, 2**63, 10**40)
# path template -> method; the test below checks that this covers every route of the app with an id in its path
API_ROUTES = {
    "/api/listings/{listing_id}": ("GET", "DELETE"),
    "/api/listings/{listing_id}/snapshots": ("GET",),
    "/api/listings/{listing_id}/evidence": ("GET",),
    "/api/listings/{listing_id}/evidence.wacz": ("GET",),
}
PAGE_ROUTES = {
    "/listings/{listing_id}": ("GET",),
    "/listings/{listing_id}/snapshots/{seq}/page": ("GET",),
    "/listings/{listing_id}/snapshots/{seq}/screenshot": ("GET",),
    "/listings/{listing_id}/evidence.zip": ("GET",),
    "/listings/{listing_id}/evidence.wacz": ("GET",),
    "/listings/{listing_id}/remove": ("POST",),
    "/listings/{listing_id}/events/{event_id}/statement": ("POST",),
    "/users/{user_id}/active": ("POST",),
    "/users/{user_id}/language": ("POST",),
}


def test_the_lists_cover_every_route_with_an_id():
    routes = [r for m in (api, login, pages, account_page, users_admin) for r in m.router.routes]
    with_ids = {r.path for r in routes if "{" in r.path and "{fmt}" not in r.path}
    assert with_ids == set(API_ROUTES) | set(PAGE_ROUTES)


def _fill(template: str, value: int, world) -> list[str]:
    """The template with each id in turn set to `value`, the others real."""
    real = {"listing_id": world.seeded.alice_listing, "seq": 1, "event_id": 1, "user_id": 1}
    out = []
    for name in real:
        if "{" + name + "}" in template:
            out.append(template.format(**{**real, name: value}))
    return out


@pytest.mark.parametrize("value", (*TOO_BIG, 0, -1))
def test_api_routes_refuse_out_of_range_ids(client, world, value):
    alice = {"Authorization": f"Bearer {world.tokens['alice@example.org']}"}
    for template, methods in API_ROUTES.items():
        for path in _fill(template, value, world):
            for method in methods:
                r = client.request(method, path, headers=alice)
                assert r.status_code == 422, (method, path, r.status_code)
                assert r.json()["detail"][0]["loc"][:1] == ["path"]
    for export in ("/api/events", "/api/export/events.csv", "/api/export/events.json"):
        r = client.get(export, params={"listing_id": value}, headers=alice)
        assert r.status_code == 422, (export, r.status_code)


def test_the_largest_id_is_simply_not_found(client, world):
    alice = {"Authorization": f"Bearer {world.tokens['alice@example.org']}"}
    assert client.get(f"/api/listings/{MAX_ID}", headers=alice).status_code == 404
    assert client.get("/api/events", params={"listing_id": MAX_ID}, headers=alice).json() == []


@pytest.mark.parametrize("value", (2**63, 10**40, 0))
def test_page_routes_refuse_out_of_range_ids(client, world, value):
    log_in(client, "root@example.org")
    csrf = csrf_of(client.get("/register").text)
    for template, methods in PAGE_ROUTES.items():
        for path in _fill(template, value, world):
            if value == 0 and path.endswith(("/page", "/screenshot")) and "/snapshots/0/" in path:
                continue  # seq 0 is a valid sequence number
            for method in methods:
                data = {"csrf": csrf, "active": "true", "received_on": "2026-03-01"} if method == "POST" else None
                r = client.request(method, path, data=data, follow_redirects=False)
                assert r.status_code == 422, (method, path, r.status_code)
    for name in ("a", "b", "seq"):
        r = client.get(f"/listings/{world.seeded.alice_listing}", params={name: 2**63})
        assert r.status_code == 422, name
