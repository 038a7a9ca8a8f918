"""Any change to an exported WACZ is caught, and named by the layer it breaks (in-process: no CLI start-up)."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from observatory.evidence import _write_zip
from observatory.signing import signed_data
from observatory.verify_evidence import NotEvidence, verify_evidence
from tests.evidence.conftest import World


def _roots(world: World) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(world.tsa.ca_pem.read_bytes())


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _failed(path: Path, world: World) -> set[str]:
    return {layer.name for layer in verify_evidence(path, tsa_roots=_roots(world)) if not layer.ok}


def _write(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "altered.wacz"
    path.write_bytes(_write_zip(files))
    return path


def _flip_in_warc_body(warc: bytes, needle: bytes) -> bytes:
    """The WARC with one byte of a response body changed (its gzip member rewritten to stay readable)."""
    members, rest = [], warc
    while rest:  # warcio writes one gzip member per record
        decompressor = zlib.decompressobj(31)
        members.append(decompressor.decompress(rest))
        rest = decompressor.unused_data
    changed = [m.replace(needle, needle[:-1] + bytes([needle[-1] ^ 1]), 1) if needle in m else m for m in members]
    assert changed != members
    return b"".join(gzip.compress(m, mtime=0) for m in changed)


def test_the_untouched_wacz_holds_every_layer(world: World):
    layers = verify_evidence(world.wacz, tsa_roots=_roots(world))
    assert [(layer.name, layer.ok) for layer in layers] == [
        ("hash chain", True), ("WACZ digests", True), ("signature", True), ("timestamps", True)]


def test_a_changed_warc_record_breaks_the_digests(world: World, tmp_path):
    files = _files(world.wacz)
    files["archive/data.warc.gz"] = _flip_in_warc_body(files["archive/data.warc.gz"], b"Lampe Dupont")
    assert "WACZ digests" in _failed(_write(tmp_path, files), world)


def test_a_forger_who_re_hashes_and_re_signs_is_caught_by_the_chain_and_shows_another_key(world: World, tmp_path):
    files = _files(world.wacz)
    files["archive/data.warc.gz"] = _flip_in_warc_body(files["archive/data.warc.gz"], b"Lampe Dupont")
    package = json.loads(files["datapackage.json"])
    for resource in package["resources"]:
        data = files[resource["path"]]
        resource["hash"], resource["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    files["datapackage.json"] = json.dumps(package).encode()
    digest = "sha256:" + hashlib.sha256(files["datapackage.json"]).hexdigest()
    original = json.loads(_files(world.wacz)["datapackage-digest.json"])["signedData"]
    forged = signed_data(ec.generate_private_key(ec.SECP256R1()), digest, created=datetime(2026, 1, 1, tzinfo=UTC),
                         software="x", version="x")
    files["datapackage-digest.json"] = json.dumps({"path": "datapackage.json", "hash": digest,
                                                   "signedData": forged}).encode()
    layers = {layer.name: layer for layer in verify_evidence(_write(tmp_path, files), tsa_roots=_roots(world))}
    # the WARC's own record digests were left as they were; the chain catches the change whatever the forger redoes
    assert not layers["hash chain"].ok and layers["signature"].ok
    assert forged["publicKey"] != original["publicKey"]  # the signature holds, but by a key that is not the instance's


def test_a_changed_token_breaks_the_timestamps(world: World, tmp_path):
    files = _files(world.wacz)
    token = next(n for n in files if n.startswith("vigie/timestamps/") and n.endswith(".tsr"))
    altered = bytearray(files[token])
    altered[len(altered) // 2] ^= 0x01
    files[token] = bytes(altered)
    assert "timestamps" in _failed(_write(tmp_path, files), world)


def test_a_changed_signature_breaks_the_signature(world: World, tmp_path):
    files = _files(world.wacz)
    digest = json.loads(files["datapackage-digest.json"])
    raw = bytearray(base64.b64decode(digest["signedData"]["signature"]))
    raw[5] ^= 0x01
    digest["signedData"]["signature"] = base64.b64encode(bytes(raw)).decode()
    files["datapackage-digest.json"] = json.dumps(digest).encode()
    assert _failed(_write(tmp_path, files), world) == {"signature"}


def test_a_changed_datapackage_breaks_the_digests(world: World, tmp_path):
    files = _files(world.wacz)
    files["datapackage.json"] = files["datapackage.json"].replace(b"Vigie listing", b"Vigie Listing", 1)
    assert "WACZ digests" in _failed(_write(tmp_path, files), world)


def test_a_stamp_moved_to_another_snapshot_breaks_the_timestamps(world: World, tmp_path):
    files = _files(world.wacz)
    stamps = json.loads(files["vigie/timestamps.json"])
    stamps[0]["leaf"]["seq"] = 99
    files["vigie/timestamps.json"] = json.dumps(stamps).encode()
    assert "timestamps" in _failed(_write(tmp_path, files), world)


def test_any_changed_byte_of_the_file_is_caught(world: World, tmp_path):
    data = world.wacz.read_bytes()
    path = tmp_path / "flipped.wacz"
    for position in list(range(4, len(data), max(1, len(data) // 60))) + [len(data) - 1]:
        altered = bytearray(data)
        altered[position] ^= 0x01
        path.write_bytes(bytes(altered))
        try:
            assert _failed(path, world), f"byte {position} changed and the WACZ still verified"
        except NotEvidence:
            pass  # the change hid the package's own name: not taken for evidence either


def test_a_token_from_another_authority_is_refused(world: World, tmp_path):
    from tests.evidence.local_tsa import make_authority
    other = tmp_path / "other"
    other.mkdir()
    make_authority(other)
    layers = verify_evidence(world.wacz, tsa_roots=x509.load_pem_x509_certificates((other / "ca.pem").read_bytes()))
    assert [layer.name for layer in layers if not layer.ok] == ["timestamps"]


def test_neither_kind_of_file_is_not_evidence(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("a.jpg", b"x")
    for path in (text, other):
        with pytest.raises(NotEvidence, match="not an evidence bundle"):
            verify_evidence(path)
