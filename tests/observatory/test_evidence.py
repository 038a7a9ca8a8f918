import io
import json
import zipfile
from datetime import date

import pytest

from observatory.evidence import MANIFEST, export_bundle, verify_bundle
from store.chain import CHAINED_FIELDS
from store.db import session_scope
from tests.observatory.seed import SCRIPT_PAGE, T0, record_statement, seed


@pytest.fixture
def bundle(sessions, tmp_path):
    seeded = seed(sessions)
    record_statement(sessions, seeded, date(2026, 3, 4))
    with session_scope(sessions) as s:
        data = export_bundle(s, seeded.alice_listing, now=T0, out=tmp_path / "b.zip")
    return tmp_path / "b.zip", data


def test_an_untouched_bundle_verifies(bundle):
    path, data = bundle
    assert path.read_bytes() == data
    assert verify_bundle(path) == []


def test_bundle_holds_chain_bodies_screenshots_and_an_escaped_report(bundle):
    path, _ = bundle
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        snapshots = json.loads(z.read("snapshots.json"))
        manifest = json.loads(z.read(MANIFEST))
        report = z.read("report.html").decode()
        bodies = [n for n in names if n.startswith("bodies/")]
        assert SCRIPT_PAGE in [z.read(n) for n in bodies]
    assert len(snapshots) == 5 and set(snapshots[0]) == set(CHAINED_FIELDS) | {"chain_hash"}
    assert manifest["chain_head"] == snapshots[-1]["chain_hash"]
    assert set(manifest["files"]) == names - {MANIFEST, "manifest.sha256"}
    assert len([n for n in names if n.startswith("screenshots/")]) == 1
    assert "<script>alert(1)" not in report and "&lt;script&gt;alert(1)" in report
    # statement on 4 March, first seen missing on 5 March; the seeded account reads French
    assert "avant la restriction ou le jour même" in report


def test_any_changed_byte_is_rejected(bundle):
    path, data = bundle
    # every byte of small bundles would be slow to try one by one: a stride covers headers, data and directory
    for position in list(range(0, len(data), max(1, len(data) // 300))) + [len(data) - 1]:
        altered = bytearray(data)
        altered[position] ^= 0x01
        assert verify_bundle(bytes(altered)), f"byte {position} changed and the bundle still verified"


def _rewrite(path, target, change):
    with zipfile.ZipFile(path) as z:
        entries = [(n, z.read(n)) for n in z.namelist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in entries:
            z.writestr(name, change(content) if name == target else content)
    return out.getvalue()


@pytest.mark.parametrize("target", ["snapshots.json", "events.json", "report.html", MANIFEST])
def test_a_re_zipped_edit_names_the_altered_file(bundle, target):
    path, _ = bundle
    problems = verify_bundle(_rewrite(path, target, lambda c: c.replace(b"1", b"2", 1)))
    assert problems and any(p.startswith(target) for p in problems), problems


def test_an_altered_body_is_named(bundle):
    path, _ = bundle
    with zipfile.ZipFile(path) as z:
        body = next(n for n in z.namelist() if n.startswith("bodies/"))
    problems = verify_bundle(_rewrite(path, body, lambda c: c + b" "))
    assert any(p.startswith(body) for p in problems), problems


def test_a_forged_chain_is_caught_even_with_a_consistent_manifest(bundle, tmp_path):
    """Someone edits a price and recomputes the manifest and its seal: the chain still breaks."""
    import hashlib
    path, _ = bundle
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    snapshots = json.loads(files["snapshots.json"])
    snapshots[0]["price"] = "9.90"
    files["snapshots.json"] = json.dumps(snapshots).encode()
    manifest = json.loads(files[MANIFEST])
    manifest["files"]["snapshots.json"] = hashlib.sha256(files["snapshots.json"]).hexdigest()
    files[MANIFEST] = json.dumps(manifest).encode()
    files["manifest.sha256"] = hashlib.sha256(files[MANIFEST]).hexdigest().encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    problems = verify_bundle(out.getvalue())
    assert any("snapshots.json: snapshot 1: chain_hash" in p for p in problems), problems


def test_every_byte_of_the_first_header_is_checked(bundle):
    # the local header holds the compression method, flags and sizes: each flip must be named, never crash
    _, data = bundle
    for position in range(0, 64):
        altered = bytearray(data)
        altered[position] ^= 0x01
        assert verify_bundle(bytes(altered)), f"byte {position} changed and the bundle still verified"


def test_every_bit_of_every_local_header_is_checked(bundle):
    # flags (encryption), method, sizes, name: any flipped bit is a finding, never a crash
    _, data = bundle
    offset = 0
    while (offset := data.find(b"PK\x03\x04", offset)) != -1:
        for position in range(offset, offset + 30):
            for bit in range(8):
                altered = bytearray(data)
                altered[position] ^= 1 << bit
                assert verify_bundle(bytes(altered)), f"bit {bit} of byte {position} changed, still verified"
        offset += 4
