"""The observatory offers the signed WACZ beside the zip bundle: streamed from a spooled file, verified offline,
refused for another account's listing."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from starlette.testclient import TestClient

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from observatory.signing import fingerprint, instance_key, public_key_b64
from observatory.verify_evidence import verify_evidence
from tests.observatory.conftest import NOW, log_in


@pytest.fixture
def signed_client(sessions, world, tmp_path):
    app = create_app(ObservatoryConfig(allow_private_hosts=True, clock=lambda: NOW, data_dir=tmp_path / "data"),
                     sessions)
    with TestClient(app) as client:
        yield client


def test_a_seller_downloads_a_signed_wacz_of_their_listing(signed_client, world, tmp_path):
    alice = {"Authorization": f"Bearer {world.tokens['alice@example.org']}"}
    got = signed_client.get(f"/api/listings/{world.seeded.alice_listing}/evidence.wacz", headers=alice)
    assert got.status_code == 200 and got.headers["content-type"] == "application/wacz"
    assert int(got.headers["content-length"]) == len(got.content)
    path = tmp_path / "listing.wacz"
    path.write_bytes(got.content)
    layers = verify_evidence(path)
    assert all(layer.ok for layer in layers), [layer.line() for layer in layers]
    signed = json.loads(zipfile.ZipFile(io.BytesIO(got.content)).read("datapackage-digest.json"))["signedData"]
    # the instance's key, made once in the data directory: the same one signs every download
    assert fingerprint(signed["publicKey"]) == fingerprint(public_key_b64(instance_key(tmp_path / "data")))
    other = signed_client.get(f"/api/listings/{world.seeded.bob_listing}/evidence.wacz", headers=alice)
    assert other.status_code == 404


def test_the_listing_page_links_the_wacz(signed_client, world):
    log_in(signed_client, "alice@example.org")
    page = signed_client.get(f"/listings/{world.seeded.alice_listing}").text
    assert f"/listings/{world.seeded.alice_listing}/evidence.wacz" in page
    got = signed_client.get(f"/listings/{world.seeded.alice_listing}/evidence.wacz")
    assert got.status_code == 200 and "datapackage.json" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert signed_client.get(f"/listings/{world.seeded.bob_listing}/evidence.wacz").status_code == 404
