import zipfile

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
