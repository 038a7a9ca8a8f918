"""Evidence blobs: raw bodies and screenshots, keyed by SHA-256, compressed, stored once."""
from __future__ import annotations

import hashlib
import zlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Blob

PRUNED = "pruned"  # retention emptied the bytes; the row stays so snapshots and chains still name it


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(session: Session, data: bytes, *, media_type: str, now: datetime) -> str:
    """Store `data` unless a blob with its hash exists; return the hash."""
    digest = sha256(data)
    blob = session.get(Blob, digest)
    if blob is None:
        session.add(Blob(sha256=digest, size=len(data), media_type=media_type, compression="zlib",
                         data=zlib.compress(data, 6), created_at=now))
        session.flush()
    elif blob.compression == PRUNED:  # the same bytes seen again: evidence once more, keep them
        blob.data, blob.compression = zlib.compress(data, 6), "zlib"
        session.flush()
    return digest


def put_many(session: Session, items: list[tuple[bytes, str]], *, now: datetime) -> list[str]:
    """`put` for a batch of (data, media_type): one query to learn what exists, one insert."""
    digests = [sha256(data) for data, _ in items]
    rows = session.execute(select(Blob.sha256, Blob.compression).where(Blob.sha256.in_(set(digests))))
    known = {digest: compression for digest, compression in rows}
    for digest, (data, media_type) in zip(digests, items):
        compression = known.get(digest)
        if compression is None:
            session.add(Blob(sha256=digest, size=len(data), media_type=media_type, compression="zlib",
                             data=zlib.compress(data, 6), created_at=now))
            known[digest] = "zlib"
        elif compression == PRUNED:
            put(session, data, media_type=media_type, now=now)
            known[digest] = "zlib"
    return digests


def get(session: Session, digest: str) -> bytes | None:
    blob = session.get(Blob, digest)
    if blob is None or blob.compression == PRUNED:
        return None
    data = zlib.decompress(blob.data) if blob.compression == "zlib" else blob.data
    if sha256(data) != digest:
        raise ValueError(f"blob {digest} is corrupt: its content no longer matches its hash")
    return data


def existing(session: Session, digests: set[str]) -> set[str]:
    if not digests:
        return set()
    return set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(digests))))
