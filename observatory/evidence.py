"""Evidence bundles: one listing's snapshots, raw bodies, screenshots, events and chain in a zip
that anyone can verify offline.

The zip is written canonically (entries sorted, stored uncompressed, fixed timestamps and
attributes), so the verifier can rebuild it from its own entries and compare every byte: a change
outside the hashed files (a header, a timestamp, a comment) is caught too, not only a change in
a file. Inside, manifest.json lists the SHA-256 of every other file and manifest.sha256 seals
the manifest; bodies and screenshots are named by their own hash and referenced by the
snapshots, whose hash chain is re-walked with store.snapshots.verify_chain.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory import p2b
from observatory.bundle_parts import Spooled, bundle_parts
from observatory.listing_view import statements
from observatory.timestamp_files import timestamp_files
from store import blobs
from store.models import Blob, Listing, Snapshot
from store.snapshots import verify_chain

FORMAT = "vigie-evidence/1"
MANIFEST, SEAL = "manifest.json", "manifest.sha256"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20


class NoSuchListing(LookupError):
    pass


class BundleChanged(RuntimeError):
    """A blob went (retention) between the manifest and its entry: the bundle would not verify."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def timelines(session: Session, listing_id: int, snapshots: Any, events: Any) -> list[p2b.Timeline]:
    """The P2B timelines of every restriction, from the whole history in memory (bench/big_store_views.py
    keeps it as the "before"; bundles use listing_view.timelines)."""
    recorded = statements(session, listing_id)
    return [p2b.timeline(snapshots, e, recorded.get(e.id)) for e in events if p2b.is_restriction(e.kind)]


def _kept_blobs(session: Session, listing_id: int) -> dict[str, str]:
    """Path in the bundle -> SHA-256, for every body and screenshot of the listing's snapshots whose bytes are
    kept (a pruned or missing blob is left out, as the verifier expects). Two joins, no list of digests."""
    paths: dict[str, str] = {}
    for column, folder, suffix in ((Snapshot.body_sha256, "bodies", "html"),
                                   (Snapshot.screenshot_sha256, "screenshots", "png")):
        for digest in session.scalars(select(Blob.sha256).join(Snapshot, column == Blob.sha256)
                                      .where(Snapshot.listing_id == listing_id, Blob.compression != blobs.PRUNED)
                                      .distinct()):
            paths[f"{folder}/{digest}.{suffix}"] = digest
    return paths


def copy_into(archive: zipfile.ZipFile, path: str, part: Spooled) -> None:
    """A spooled part as a zip entry, a chunk at a time; its size set first, so the entry's bytes are those
    `writestr` gives (the verifier rebuilds the zip with it)."""
    info = _entry(path)
    info.file_size = part.size
    with part.path.open("rb") as source, archive.open(info, "w") as dest:
        shutil.copyfileobj(source, dest, CHUNK)


def write_bundle(session: Session, listing_id: int, *, now: datetime, fileobj: BinaryIO,
                 tsa_certs: bytes | None = None) -> None:
    """Write the bundle to `fileobj` (seekable), one body, screenshot or chunk in memory at a time.

    A blob is named by the SHA-256 of its bytes (store.blobs checks it as it reads them), so the manifest is
    written before the blobs that sort after it without reading them twice; the parts that grow with the
    history are spooled to disk first (observatory.bundle_parts)."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NoSuchListing(f"no listing with id {listing_id}")
    with tempfile.TemporaryDirectory(prefix="vigie-bundle-") as folder:
        parts = bundle_parts(session, listing, now=now, folder=Path(folder))
        files = {**parts.small, **timestamp_files(session, listing_id, tsa_certs=tsa_certs)}
        kept = _kept_blobs(session, listing_id)
        manifest = {
            "format": FORMAT,
            "listing_id": listing_id,
            "created_at": now.isoformat(),
            "chain_head": parts.chain_head,
            "snapshots": parts.snapshots,
            "files": dict(sorted({**{path: _sha(data) for path, data in files.items()},
                                  **{path: part.sha256 for path, part in parts.spooled.items()}, **kept}.items())),
        }
        files[MANIFEST] = _json(manifest)
        files[SEAL] = (_sha(files[MANIFEST]) + "  " + MANIFEST + "\n").encode()
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
            for path in sorted({*files, *parts.spooled, *kept}):
                if path in parts.spooled:
                    copy_into(archive, path, parts.spooled[path])
                    continue
                data = files[path] if path in files else blobs.get(session, kept[path])
                if data is None:
                    raise BundleChanged(f"{path}: pruned while the bundle was written; export again")
                archive.writestr(_entry(path), data)
                del data


def export_bundle(session: Session, listing_id: int, *, now: datetime, out: Path | None = None) -> bytes:
    """The bundle's bytes, in memory (also written to `out` when given): for small listings and tests; the
    routes (observatory.exports.bundle_response) and the CLI (save_bundle) write it through a file instead."""
    buffer = io.BytesIO()
    write_bundle(session, listing_id, now=now, fileobj=buffer)
    if out is not None:
        out.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def save_bundle(session: Session, listing_id: int, *, now: datetime, out: Path, tsa_certs: bytes | None = None) -> None:
    """Write the bundle to `out` through a temporary file beside it: a failed export leaves no partial file."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as file:
            write_bundle(session, listing_id, now=now, fileobj=file, tsa_certs=tsa_certs)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _entry(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=FIXED_TIME)
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED
    return info


def _write_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(files):
            archive.writestr(_entry(path), files[path])
    return buffer.getvalue()


def verify_bundle(path: Path | str | bytes) -> list[str]:
    """Problems found in the bundle, each naming the file concerned; empty when intact."""
    raw = path if isinstance(path, bytes) else Path(path).read_bytes()
    name = "bundle" if isinstance(path, bytes) else Path(path).name
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # an altered zip can fail in any of zipfile's ways; each is a finding
        return [f"{name}: not a readable zip ({exc})"]
    files: dict[str, bytes] = {}
    problems: list[str] = []
    with archive:
        names = archive.namelist()
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{duplicate}: appears more than once in the zip")
        for entry in names:
            try:
                files[entry] = archive.read(entry)
            except Exception as exc:  # a flipped header bit can mean "encrypted", another method, a bad size...
                problems.append(f"{entry}: corrupt in the zip ({exc})")
    problems += _verify_files(files)
    if not problems and _write_zip(files) != raw:
        problems.append(f"{name}: the zip's structure was altered (bytes outside the hashed files differ)")
    return problems


def _verify_files(files: dict[str, bytes]) -> list[str]:
    if MANIFEST not in files:
        return [f"{MANIFEST}: missing"]
    problems: list[str] = []
    seal = files.get(SEAL, b"").decode(errors="replace").split()
    if not seal or seal[0] != _sha(files[MANIFEST]):
        problems.append(f"{MANIFEST}: does not match its seal in {SEAL}")
    try:
        manifest = json.loads(files[MANIFEST])
        listed: dict[str, str] = manifest["files"]
    except (ValueError, KeyError, TypeError):
        return problems + [f"{MANIFEST}: unreadable"]
    for path, digest in sorted(listed.items()):
        if path not in files:
            problems.append(f"{path}: listed in the manifest but missing")
        elif _sha(files[path]) != digest:
            problems.append(f"{path}: content does not match its SHA-256 in the manifest")
    for path in sorted(set(files) - set(listed) - {MANIFEST, SEAL}):
        problems.append(f"{path}: not listed in the manifest")
    for path, data in sorted(files.items()):
        if path.startswith(("bodies/", "screenshots/")) and Path(path).stem != _sha(data):
            problems.append(f"{path}: content does not match the hash in its name")
    problems += _verify_snapshots(files, manifest)
    return problems


def _verify_snapshots(files: dict[str, bytes], manifest: dict[str, Any]) -> list[str]:
    try:
        snapshots = json.loads(files["snapshots.json"])
    except (KeyError, ValueError):
        return ["snapshots.json: missing or unreadable"]
    problems = [f"snapshots.json: {p}" for p in verify_chain(snapshots)]
    for s in snapshots:
        if s.get("listing_id") != manifest.get("listing_id"):
            problems.append(f"snapshots.json: snapshot {s.get('seq')} belongs to another listing")
        if s.get("body_sha256") and f"bodies/{s['body_sha256']}.html" not in files:
            problems.append(f"bodies/{s['body_sha256']}.html: body of snapshot {s.get('seq')} missing")
        if s.get("screenshot_sha256") and f"screenshots/{s['screenshot_sha256']}.png" not in files:
            problems.append(f"screenshots/{s['screenshot_sha256']}.png: screenshot of snapshot {s.get('seq')} missing")
    head = snapshots[-1]["chain_hash"] if snapshots else None
    if head != manifest.get("chain_head"):
        problems.append("snapshots.json: the last chain hash is not the manifest's chain_head")
    return problems
