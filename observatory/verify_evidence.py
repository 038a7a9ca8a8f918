"""`vigie verify-evidence`: an evidence file checked offline, layer by layer.

    hash chain   the snapshots re-chain (store.chain), and the WARC's records are those snapshots' bytes
    digests      every file matches its SHA-256 in the manifest (zip) or datapackage.json (WACZ), the WARC
                 records their own digests, and the zip rebuilt from its entries is the file, byte for byte
    signature    (WACZ) datapackage-digest.json is signed by the public key it names (observatory.signing)
    timestamps   each RFC 3161 token is the authority's signature over a Merkle root that the listing's chain
                 head leads to, checked against the authority's certificate (bundled, or --tsa-cert)

A file that is neither kind is NotEvidence (the CLI says so in one line and exits 2).
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from observatory.evidence import MANIFEST, _write_zip, verify_bundle
from observatory.signing import fingerprint, verify_signed_data
from observatory.timestamp_files import CERTS, STAMPS
from observatory.wacz import DIGEST, PACKAGE, VIGIE_DIR, WARC_PATH
from store import merkle, tsa
from store.snapshots import verify_chain


class NotEvidence(ValueError):
    pass


@dataclass
class Layer:
    name: str
    detail: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        if self.ok:
            return f"{self.name}: ok" + (f" ({self.detail})" if self.detail else "")
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self.name}: FAILED: {self.problems[0]}{more}"


def verify_evidence(path: Path, *, tsa_roots: list[x509.Certificate] | None = None) -> list[Layer]:
    raw = path.read_bytes()
    if not raw.startswith(b"PK\x03\x04"):
        raise NotEvidence(f"{path}: not an evidence bundle (neither a Vigie .zip bundle nor a WACZ)")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        names = set()  # a zip header, then damage: an altered file, told by layer below
    if names and MANIFEST not in names and PACKAGE not in names:
        raise NotEvidence(f"{path}: not an evidence bundle (a zip without manifest.json or datapackage.json)")
    if PACKAGE in names:
        return _wacz_layers(raw, tsa_roots)
    return _bundle_layers(raw, tsa_roots)


def _read_entries(raw: bytes) -> tuple[dict[str, bytes], list[str]]:
    files: dict[str, bytes] = {}
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 (an altered zip fails in any of zipfile's ways; each is a finding)
        return files, [f"not a readable zip ({exc})"]
    with archive:
        names = archive.namelist()
        twice = sorted({n for n in names if names.count(n) > 1})
        problems += [f"{n}: appears more than once in the zip" for n in twice]
        for name in names:
            try:
                files[name] = archive.read(name)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{name}: corrupt in the zip ({exc})")
    if not problems and _write_zip(files) != raw:
        problems.append("the zip's structure was altered (bytes outside the hashed files differ)")
    return files, problems


def _bundle_layers(raw: bytes, tsa_roots: list[x509.Certificate] | None) -> list[Layer]:
    problems = verify_bundle(raw)
    chain = Layer("hash chain", problems=[p for p in problems if p.startswith("snapshots.json")])
    digests = Layer("digests", problems=[p for p in problems if not p.startswith("snapshots.json")])
    files, _ = _read_entries(raw)
    snapshots = _json(files.get("snapshots.json")) or []
    chain.detail = f"{len(snapshots)} snapshots"
    signature = Layer("signature", detail="not applicable: the .zip bundle is sealed by its manifest, "
                                          "the .wacz form is signed")
    return [chain, digests, signature, _timestamps(files, "", snapshots, tsa_roots)]


def _wacz_layers(raw: bytes, tsa_roots: list[x509.Certificate] | None) -> list[Layer]:
    files, zip_problems = _read_entries(raw)
    package = _json(files.get(PACKAGE)) or {}
    digest_file = _json(files.get(DIGEST)) or {}
    snapshots = _json(files.get(VIGIE_DIR + "snapshots.json"))
    return [_wacz_chain(files, package, snapshots), _wacz_digests(files, package, digest_file, zip_problems),
            _signature(files, digest_file), _timestamps(files, VIGIE_DIR, snapshots or [], tsa_roots)]


def _wacz_chain(files: dict[str, bytes], package: dict[str, Any], snapshots: Any) -> Layer:
    layer = Layer("hash chain")
    if not isinstance(snapshots, list):
        layer.problems.append(f"{VIGIE_DIR}snapshots.json: missing or unreadable")
        return layer
    layer.problems += [f"{VIGIE_DIR}snapshots.json: {p}" for p in verify_chain(snapshots)]
    vigie = package.get("vigie") or {}
    head = snapshots[-1]["chain_hash"] if snapshots else None
    if head != vigie.get("chain_head"):
        layer.problems.append(f"{PACKAGE}: chain_head is not the last snapshot's chain hash")
    by_seq = {s.get("seq"): s for s in snapshots}
    seen_metadata = 0
    for record in _warc_records(files.get(WARC_PATH, b"")):
        if record is None:
            layer.problems.append(f"{WARC_PATH}: unreadable")
            break
        kind, headers, payload = record
        if kind == "metadata":
            seen_metadata += 1
            data = _json(payload) or {}
            if by_seq.get(data.get("seq")) != data:
                layer.problems.append(f"{WARC_PATH}: the metadata record of snapshot {data.get('seq')} differs "
                                      "from the chained snapshot")
        elif kind == "response" and headers.get("WARC-Truncated") is None and payload:
            digest = hashlib.sha256(payload).hexdigest()
            if not any(s.get("body_sha256") == digest for s in snapshots):
                layer.problems.append(f"{WARC_PATH}: a response body ({headers.get('WARC-Target-URI')}) is no "
                                      "snapshot's body")
    if seen_metadata != len(snapshots):
        layer.problems.append(f"{WARC_PATH}: {seen_metadata} metadata records for {len(snapshots)} snapshots")
    layer.detail = f"{len(snapshots)} snapshots, head {head[:16] + '…' if head else 'none'}"
    return layer


def _warc_records(data: bytes):
    """(type, WARC headers, content) of each record; None once the WARC stops being readable."""
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            yield record.rec_type, dict(record.rec_headers.headers), record.content_stream().read()
    except (ArchiveLoadFailed, OSError, ValueError, EOFError):
        yield None


def _wacz_digests(files: dict[str, bytes], package: dict[str, Any], digest_file: dict[str, Any],
                  zip_problems: list[str]) -> Layer:
    layer = Layer("WACZ digests", problems=list(zip_problems))
    if PACKAGE not in files:
        layer.problems.append(f"{PACKAGE}: missing")
        return layer
    if digest_file.get("hash") != "sha256:" + hashlib.sha256(files[PACKAGE]).hexdigest():
        layer.problems.append(f"{PACKAGE}: does not match its hash in {DIGEST}")
    resources = package.get("resources")
    if not isinstance(resources, list):
        layer.problems.append(f"{PACKAGE}: unreadable")
        return layer
    listed = {r.get("path"): r for r in resources if isinstance(r, dict)}
    for path, resource in sorted(listed.items()):
        data = files.get(path)
        if data is None:
            layer.problems.append(f"{path}: listed in {PACKAGE} but missing")
        elif resource.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest() or resource.get("bytes") != len(data):
            layer.problems.append(f"{path}: content does not match its SHA-256 in {PACKAGE}")
    layer.problems += [f"{p}: not listed in {PACKAGE}" for p in sorted(set(files) - set(listed) - {PACKAGE, DIGEST})]
    layer.problems += _warc_digest_problems(files.get(WARC_PATH, b""))
    layer.detail = f"{len(listed)} files, WARC record digests checked"
    return layer


def _warc_digest_problems(data: bytes) -> list[str]:
    problems: list[str] = []
    try:
        iterator = ArchiveIterator(io.BytesIO(data), check_digests="raise")
        for record in iterator:
            record.content_stream().read()
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
        problems.append(f"{WARC_PATH}: {exc}")
    return problems


def _signature(files: dict[str, bytes], digest_file: dict[str, Any]) -> Layer:
    layer = Layer("signature")
    signed = digest_file.get("signedData")
    if not isinstance(signed, dict):
        layer.problems.append(f"{DIGEST}: no signedData")
        return layer
    if signed.get("hash") != digest_file.get("hash"):
        layer.problems.append(f"{DIGEST}: the signed hash is not the package's hash")
    wrong = verify_signed_data(signed)
    if wrong:
        layer.problems.append(f"{DIGEST}: {wrong}")
    else:
        layer.detail = f"ECDSA P-256, key sha256:{fingerprint(signed['publicKey'])}"
    return layer


def _timestamps(files: dict[str, bytes], prefix: str, snapshots: list[dict[str, Any]],
                tsa_roots: list[x509.Certificate] | None) -> Layer:
    layer = Layer("timestamps")
    stamps = _json(files.get(prefix + STAMPS))
    if stamps is None:
        layer.detail = "none in this bundle"
        return layer
    if not isinstance(stamps, list):
        layer.problems.append(f"{prefix}{STAMPS}: unreadable")
        return layer
    if not stamps:
        layer.detail = "none: no timestamp authority had stamped this listing's chain when it was exported"
        return layer
    roots = tsa_roots
    if roots is None:
        try:
            roots = x509.load_pem_x509_certificates(files[prefix + CERTS]) if prefix + CERTS in files else []
        except ValueError:
            layer.problems.append(f"{prefix}{CERTS}: unreadable")
            return layer
    if not roots:
        layer.problems.append("no certificate of the timestamp authority to check against: give --tsa-cert FILE")
        return layer
    chained = {s.get("seq"): s.get("chain_hash") for s in snapshots}
    times = []
    for stamp in stamps:
        try:
            leaf = stamp["leaf"]
            where = f"{prefix}{stamp['response']}"
            if chained.get(leaf["seq"]) != leaf["chain_hash"]:
                layer.problems.append(f"{where}: stamps a chain hash that is not snapshot {leaf['seq']}'s")
                continue
            root = merkle.root_from(merkle.leaf(leaf["listing_id"], leaf["seq"], leaf["chain_hash"]), stamp["path"])
            if root.hex() != stamp["root"]:
                layer.problems.append(f"{where}: the Merkle path does not lead to the stamped root")
                continue
            response = files.get(where)
            if response is None:
                layer.problems.append(f"{where}: missing")
                continue
            moment = tsa.verify(response, root, roots, intermediates=tsa.certificates(response))
        except (KeyError, TypeError, ValueError, tsa.VerificationError) as exc:
            layer.problems.append(f"{prefix}{STAMPS}: a token does not verify ({exc})")
            continue
        times.append(f"snapshot {leaf['seq']} existed by {moment.isoformat()}")
    subjects = ", ".join(sorted({c.subject.rfc4514_string() for c in roots}))
    layer.detail = f"{len(stamps)} token(s) against {subjects}: " + "; ".join(times)
    return layer


def _json(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None
