"""A listing's evidence as a WACZ package (Web Archive Collection Zipped 1.1.1), signed by the instance.

    archive/data.warc.gz      every stored fetch as WARC 1.1 records (observatory.warc)
    indexes/index.cdx         (CDXJ lines) where each capture is in the WARC, for replay tools
    pages/pages.jsonl         the captured pages
    vigie/...                 Vigie's own view: snapshots (the hash chain), events, report, RFC 3161 stamps
    datapackage.json          every file above with its SHA-256 and size
    datapackage-digest.json   the SHA-256 of datapackage.json, signed by the instance's key (observatory.signing)

The WARC goes to a temporary file as it is written (one body or screenshot in memory at a time), then into
the zip; entries are stored uncompressed (the spec asks it of WARCs, for random access), sorted, with fixed
times, so the verifier can rebuild the zip and compare every byte, as for the .zip bundle.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from crawler.capture import software
from observatory.bundle_parts import Parts, bundle_parts, snapshot_record, streamed_snapshots
from observatory.evidence import NoSuchListing, _entry, copy_into
from observatory.signing import fingerprint, public_key_b64, signed_data
from observatory.timestamp_files import timestamp_files
from observatory.warc import write_warc
from store import blobs
from store.models import Listing

WACZ_VERSION = "1.1.1"
WARC_PATH, INDEX_PATH, PAGES_PATH = "archive/data.warc.gz", "indexes/index.cdx", "pages/pages.jsonl"
PACKAGE, DIGEST = "datapackage.json", "datapackage-digest.json"
VIGIE_DIR = "vigie/"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Signer:
    key: ec.EllipticCurvePrivateKey
    tsa_certs: bytes | None = None  # the TSA's CA certificates (PEM) to ship with the stamps


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_wacz(session: Session, listing_id: int, *, now: datetime, fileobj: BinaryIO, signer: Signer) -> None:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NoSuchListing(f"no listing with id {listing_id}")
    with tempfile.TemporaryDirectory(prefix="vigie-wacz-") as folder:
        parts = bundle_parts(session, listing, now=now, folder=Path(folder))
        _write(session, listing, parts, now=now, fileobj=fileobj, signer=signer)


def _write(session: Session, listing: Listing, parts: Parts, *, now: datetime, fileobj: BinaryIO,
           signer: Signer) -> None:
    listing_id = listing.id
    files = {VIGIE_DIR + name: data for name, data in parts.small.items()}
    files.update({VIGIE_DIR + name: data for name, data in
                  timestamp_files(session, listing_id, tsa_certs=signer.tsa_certs).items()})
    spooled = {VIGIE_DIR + name: part for name, part in parts.spooled.items()}
    version = software()["vigie_version"]
    records = (snapshot_record(s) for s in streamed_snapshots(session, listing_id))
    with tempfile.TemporaryFile(prefix="vigie-warc-") as warc:
        written = write_warc(warc, "data.warc.gz", records, blob=lambda digest: blobs.get(session, digest), info={
            "software": f"Vigie {version}", "format": "WARC File Format 1.1",
            "vigie-listing": str(listing_id), "vigie-url": listing.url,
            "vigie-signing-key-sha256": fingerprint(public_key_b64(signer.key)),
            "vigie-clock": software()["clock_source"], "vigie-exported-at": now.isoformat()})
        files[INDEX_PATH] = "".join(line + "\n" for line in sorted(written.index)).encode()
        files[PAGES_PATH] = "".join(json.dumps(p, sort_keys=True) + "\n" for p in [
            {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}, *written.pages]).encode()
        warc_size, warc_sha = _hash_file(warc)
        resources = [{"name": Path(path).name, "path": path, "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                      "bytes": len(data)} for path, data in files.items()]
        resources += [{"name": Path(path).name, "path": path, "hash": "sha256:" + part.sha256, "bytes": part.size}
                      for path, part in spooled.items()]
        resources.append({"name": "data.warc.gz", "path": WARC_PATH, "hash": "sha256:" + warc_sha, "bytes": warc_size})
        main = written.pages[-1] if written.pages else None
        package = {"profile": "data-package", "wacz_version": WACZ_VERSION, "title": f"Vigie listing {listing_id}",
                   "description": f"Evidence of {listing.url} recorded by Vigie", "created": now.isoformat(),
                   "software": f"Vigie {version}", "mainPageURL": main["url"] if main else listing.url,
                   "mainPageDate": main["ts"] if main else None,
                   "resources": sorted(resources, key=lambda r: r["path"]),
                   "vigie": {"format": "vigie-evidence/2", "listing_id": listing_id, "snapshots": parts.snapshots,
                             "chain_head": parts.chain_head}}
        files[PACKAGE] = _json(package)
        digest = "sha256:" + hashlib.sha256(files[PACKAGE]).hexdigest()
        files[DIGEST] = _json({"path": PACKAGE, "hash": digest, "signedData": signed_data(
            signer.key, digest, created=now, software=f"Vigie {version}", version=version)})
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for path in sorted({*files, *spooled, WARC_PATH}):
                if path in spooled:
                    copy_into(archive, path, spooled[path])
                elif path == WARC_PATH:
                    info = _entry(path)
                    info.file_size = warc_size
                    warc.seek(0)
                    with archive.open(info, "w") as dest:
                        shutil.copyfileobj(warc, dest, CHUNK)
                else:
                    archive.writestr(_entry(path), files[path])


def _hash_file(file: BinaryIO) -> tuple[int, str]:
    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def save_wacz(session: Session, listing_id: int, *, now: datetime, out: Path, signer: Signer) -> None:
    """Write the package to `out` through a temporary file beside it: a failed export leaves no partial file."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as file:
            write_wacz(session, listing_id, now=now, fileobj=file, signer=signer)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
