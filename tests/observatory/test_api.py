import csv
import io
import zipfile


def bearer(world, email):
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/listings", "/api/events", "/api/listings/{listing_id}/snapshots",
            "/api/listings/{listing_id}/evidence"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/listings"] and "delete" in spec["paths"]["/api/listings/{listing_id}"]


def test_the_api_needs_a_valid_token(client):
    assert client.get("/api/listings").status_code == 401
    assert client.get("/api/listings", headers={"Authorization": "Bearer vigie_nope"}).status_code == 401


def test_a_seller_cannot_read_another_sellers_listing_through_the_api(client, world):
    alice, bob_listing = bearer(world, "alice@example.org"), world.seeded.bob_listing
    assert [x["id"] for x in client.get("/api/listings", headers=alice).json()] == [world.seeded.alice_listing]
    for path in (f"/api/listings/{bob_listing}", f"/api/listings/{bob_listing}/snapshots",
                 f"/api/listings/{bob_listing}/evidence"):
        assert client.get(path, headers=alice).status_code == 404, path
    assert client.get(f"/api/events?listing_id={bob_listing}", headers=alice).json() == []
    assert all(e["listing_id"] != bob_listing for e in client.get("/api/events", headers=alice).json())
    assert client.delete(f"/api/listings/{bob_listing}", headers=alice).status_code == 404
    assert "cdiscount" not in client.get("/api/export/listings.csv", headers=alice).text
    # the account field cannot smuggle a listing into another seller's account
    made = client.post("/api/listings", headers=alice,
                       json={"url": "https://www.amazon.fr/dp/B0API00001", "account": "bob-shop"})
    assert made.status_code == 201 and made.json()["account"] == "alice-shop"


def test_an_investigator_reads_all_but_cannot_write(client, world):
    ivy = bearer(world, "ivy@example.org")
    assert len(client.get("/api/listings", headers=ivy).json()) == 2
    snapshots = client.get(f"/api/listings/{world.seeded.bob_listing}/snapshots", headers=ivy).json()
    assert snapshots[0]["price"] == "9.99"
    assert client.post("/api/listings", headers=ivy, json={"url": "https://www.amazon.fr/dp/B0IVY00001"}
                       ).status_code == 403
    assert client.delete(f"/api/listings/{world.seeded.bob_listing}", headers=ivy).status_code == 403


def test_register_list_remove_and_export(client, world):
    alice = bearer(world, "alice@example.org")
    bad = client.post("/api/listings", headers=alice, json={"url": "ftp://nowhere"})
    assert bad.status_code == 422
    made = client.post("/api/listings", headers=alice, json={"url": "https://www.amazon.fr/dp/B0API00002",
                                                             "emails": ["alice@example.org"], "every": "30m",
                                                             "browser": True})
    new_id = made.json()["id"]
    assert (made.json()["every_seconds"], made.json()["browser"]) == (1800, True)
    assert client.delete(f"/api/listings/{new_id}", headers=alice).json()["active"] is False
    assert new_id not in [x["id"] for x in client.get("/api/listings", headers=alice).json()]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export/events.csv", headers=alice).text)))
    assert {r["kind"] for r in rows} == {"price_change", "shipping_fee_change", "delisted"}
    assert client.get("/api/export/events.json", headers=alice).json()[0]["listing_id"] == world.seeded.alice_listing
    bundle = client.get(f"/api/listings/{world.seeded.alice_listing}/evidence", headers=alice)
    assert bundle.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()


def test_a_browser_session_reads_but_cannot_write_the_api(client, world):
    from tests.observatory.conftest import log_in
    log_in(client, "alice@example.org")
    assert client.get("/api/listings").status_code == 200
    assert client.post("/api/listings", json={"url": "https://www.amazon.fr/dp/B0API00003"}).status_code == 401


def test_the_account_filter_finds_an_account_by_any_spelling_of_its_name(client, world):
    ivy = {"Authorization": f"Bearer {world.tokens['ivy@example.org']}"}
    for spelling in ("alice-shop", " alice-shop", "alice-shop\u00a0"):
        found = client.get("/api/listings", params={"account": spelling}, headers=ivy).json()
        assert [x["id"] for x in found] == [world.seeded.alice_listing], spelling
