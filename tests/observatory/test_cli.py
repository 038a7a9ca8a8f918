import zipfile

from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.config import ObservatoryConfig
from tests.cli.runner import Vigie
from tests.observatory.seed import seed


def test_export_then_verify_then_tamper(tmp_path, database_url, sessions):
    seeded = seed(sessions)
    vigie = Vigie(tmp_path / "data", database_url)
    out = tmp_path / "evidence.zip"
    vigie.ok("export-evidence", str(seeded.alice_listing), "--out", str(out))
    assert vigie.ok("verify-evidence", str(out)).out.strip().endswith("intact")
    with zipfile.ZipFile(out) as z:
        entries = [(n, z.read(n)) for n in z.namelist()]
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(altered, "w") as z:
        for name, data in entries:
            z.writestr(name, data.replace(b"24.90", b"14.90") if name == "events.json" else data)
    run = vigie("verify-evidence", str(altered))
    assert run.code == 1 and "events.json" in run.err
    assert vigie("export-evidence", "999", "--out", str(tmp_path / "x.zip")).code == 2


def test_user_add_and_token(tmp_path, database_url):
    vigie = Vigie(tmp_path / "data", database_url)
    assert vigie("user", "add", "sam@example.org", "--role", "seller").code == 2  # a seller needs an account
    run = vigie("user", "add", "sam@example.org", "--role", "seller", "--account", "sam-shop", "--password-stdin",
                stdin="a long enough password\n")
    assert run.code == 0, run.err
    assert vigie("user", "add", "sam@example.org", "--role", "admin").code == 2  # already exists
    token = vigie.ok("user", "token", "sam@example.org").out.strip()
    assert token.startswith("vigie_") and len(token) > 30
    assert vigie("user", "token", "nobody@example.org").code == 2


def test_revoked_tokens_stop_working_at_once(tmp_path, database_url, sessions):
    vigie = Vigie(tmp_path / "data", database_url)
    vigie.ok("user", "add", "ivy@example.org", "--role", "investigator")
    first, second = (vigie.ok("user", "token", "ivy@example.org").out.strip() for _ in range(2))
    listed = vigie.ok("user", "tokens", "ivy@example.org", "--json").json()
    assert [(t["id"], t["revoked"]) for t in listed] == [(1, False), (2, False)]
    with TestClient(create_app(ObservatoryConfig(), sessions)) as api:
        def status(token: str) -> int:
            return api.get("/api/listings", headers={"Authorization": f"Bearer {token}"}).status_code

        assert (status(first), status(second)) == (200, 200)
        refused = vigie("user", "revoke-token", "ivy@example.org", "1", "7")
        assert refused.code == 2 and "no token 7" in refused.err
        assert status(first) == 200  # nothing revoked by a command that was refused
        assert vigie("user", "revoke-token", "ivy@example.org").code == 2  # ids or --all, not neither
        assert "1 token(s) revoked: 1" in vigie.ok("user", "revoke-token", "ivy@example.org", "1").err
        assert (status(first), status(second)) == (401, 200)
        assert "1 token(s) revoked: 2" in vigie.ok("user", "revoke-token", "ivy@example.org", "--all").err
        assert status(second) == 401
    listed = vigie.ok("user", "tokens", "ivy@example.org", "--json").json()
    assert [t["revoked"] for t in listed] == [True, True]
