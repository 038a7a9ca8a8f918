"""Issue 23, point 8: one URL policy for every way in. VIGIE_ALLOW_NETWORKS admits its networks to `vigie add`,
and so to `vigie serve`'s form and API; every other private address stays refused there too."""
from __future__ import annotations

from starlette.testclient import TestClient

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from observatory.transport import transport
from tests.observatory.conftest import NOW, csrf_of, log_in, world  # noqa: F401 (fixtures)
from vigie.cli.observatory import observatory_config
from vigie.settings import load

ALLOWED = "http://198.18.0.7/p/1"  # RFC 2544 benchmark network: not public, admitted by the setting


def test_the_api_and_the_form_admit_the_networks_the_cli_admits(sessions, world):
    config = ObservatoryConfig(allow_networks="198.18.0.0/24", clock=lambda: NOW)
    with TestClient(create_app(config, sessions)) as client:
        alice = {"Authorization": f"Bearer {world.tokens['alice@example.org']}"}
        made = client.post("/api/listings", headers=alice, json={"url": ALLOWED})
        assert made.status_code == 201, made.text
        for refused in ("http://198.18.1.7/p/1", "http://127.0.0.1/p/1", "http://10.0.0.1/p/1"):
            answer = client.post("/api/listings", headers=alice, json={"url": refused})
            assert answer.status_code == 422 and "refused" in answer.json()["detail"], refused
        log_in(client, "alice@example.org")
        csrf = csrf_of(client.get("/register").text)
        form = client.post("/register", data={"url": "http://198.18.0.8/p/2", "csrf": csrf}, follow_redirects=False)
        assert form.status_code == 303, form.text[-500:]


def test_vigie_serve_hands_the_settings_url_policy_to_the_observatory(tmp_path):
    settings = load({"VIGIE_DATA_DIR": str(tmp_path), "VIGIE_ALLOW_NETWORKS": "198.18.0.0/24"})
    config = observatory_config(settings, transport(None, None))
    assert (config.allow_networks, config.allow_private_hosts) == ("198.18.0.0/24", False)
