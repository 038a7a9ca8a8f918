"""Issue 15, point 9: /openapi.json says what the API really does: the bearer scheme, the 401/403/404 it answers,
a 422 body that matches both kinds of refusal, and a `since` that must be a date and time."""
from __future__ import annotations

from tests.observatory.conftest import app, client, world  # noqa: F401


def bearer(world, email: str) -> dict[str, str]:  # noqa: F811 (world is the fixture)
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_since_must_be_a_date_and_time_not_a_number(client, world):  # noqa: F811
    alice = bearer(world, "alice@example.org")
    for number in ("0.5", "0", "1700000000", "-3", "1e9"):
        refused = client.get(f"/api/events?since={number}", headers=alice)
        assert refused.status_code == 422, (number, refused.text)
        assert "not a number" in refused.json()["detail"][0]["msg"]
    assert client.get("/api/events?since=2026-03-01T00:00:00Z", headers=alice).status_code == 200
    assert client.get("/api/events?since=2026-03-01T00:00:00", headers=alice).status_code == 422  # no zone


def test_the_bearer_scheme_and_the_error_answers_are_declared(client):  # noqa: F811
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer", "description": "an API token from `vigie user token EMAIL`"}}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation["security"] == [{"HTTPBearer": []}], (method, path)
            assert {"401", "422"} <= set(operation["responses"]), (method, path)
            if "{listing_id}" in path:
                assert "404" in operation["responses"], (method, path)
            if method in ("post", "delete"):
                assert "403" in operation["responses"], (method, path)


def test_the_declared_422_body_matches_both_kinds_of_refusal(client, world):  # noqa: F811
    spec = client.get("/openapi.json").json()
    declared = resolve(spec, spec["paths"]["/api/listings"]["post"]["responses"]["422"]["content"]
                       ["application/json"]["schema"])
    detail_kinds = {s.get("type") for s in declared["properties"]["detail"]["anyOf"]}
    assert detail_kinds == {"string", "array"}
    alice = bearer(world, "alice@example.org")
    ours = client.post("/api/listings", headers=alice, json={"url": ""})  # Vigie's own check: one line
    fields = client.post("/api/listings", headers=alice, json={"label": "no url"})  # the request's field errors
    assert ours.status_code == fields.status_code == 422
    assert isinstance(ours.json()["detail"], str)
    assert {"loc", "msg", "type"} <= set(fields.json()["detail"][0])
    for answer, code in [(client.get("/api/listings"), "401"),
                         (client.get("/api/listings/999", headers=alice), "404"),
                         (client.post("/api/listings", headers={**alice, "Content-Type": "application/json"},
                                      content=b"\x10\xff"), "400"),
                         (client.post("/api/listings", headers=bearer(world, "ivy@example.org"),
                                      json={"url": "https://www.amazon.fr/dp/B0IVY00001"}), "403")]:
        assert answer.status_code == int(code)
        assert code in spec["paths"]["/api/listings" if code != "404" else "/api/listings/{listing_id}"][
            "get" if code in ("401", "404") else "post"]["responses"]
        assert set(answer.json()) == {"detail"} and isinstance(answer.json()["detail"], str)


def test_a_405_names_every_method_the_path_takes(client):  # noqa: F811
    for method, path, allow in [("PUT", "/api/listings/1", "DELETE, GET"), ("PATCH", "/api/listings", "GET, POST"),
                                ("POST", "/api/events", "GET"), ("PUT", "/users", "GET, POST")]:
        answer = client.request(method, path)
        assert (answer.status_code, answer.headers["allow"]) == (405, allow), (method, path)


def test_the_limits_the_server_enforces_are_declared(client):  # noqa: F811 (issue 23, point 6)
    from vigie import limits
    spec = client.get("/openapi.json").json()
    body = resolve(spec, spec["paths"]["/api/listings"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    url = body["properties"]["url"]
    assert (url["minLength"], url["maxLength"], url["pattern"]) == (1, limits.URL_CHARS, r"^\s*[Hh][Tt][Tt][Pp][Ss]?://")
    assert body["properties"]["label"]["maxLength"] == body["properties"]["seller"]["maxLength"] == limits.TEXT_CHARS
    assert body["properties"]["emails"]["maxItems"] == limits.RECIPIENTS
    assert "413" in spec["paths"]["/api/listings"]["post"]["responses"]
    for path in ("/api/listings", "/api/events", "/api/export/listings.{fmt}", "/api/export/events.{fmt}"):
        for parameter in spec["paths"][path]["get"]["parameters"]:
            if parameter["name"] in ("q", "marketplace", "state", "account", "kind"):
                text = next(s for s in parameter["schema"]["anyOf"] if s["type"] == "string")
                assert text["maxLength"] == limits.QUERY_CHARS and text["pattern"] == r"^[^\x00]*$", (path, parameter)
