"""The parts of an evidence bundle that grow with a listing's history, written through disk.

A listing checked every five minutes has 100,000 snapshots after a year: its snapshots.json is ~60 MB and its
report a 100,000-row table. Built as Python objects they took ~900 MB of the server's memory (issue 24); here
the snapshots are read in batches (`yield_per`), each written to a temporary file as it comes and hashed on the
way, and the report is rendered by Jinja2's `generate` from a second streamed read. What is kept in memory is
bounded: one batch of snapshots, the events and the restrictions' timelines.

snapshots.json keeps the bytes `json.dumps(records, indent=2, sort_keys=True)` gave, so bundles made before
verify the same way.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory import listing_view, p2b
from observatory.i18n import Ui, ui_for
from observatory.templating import environment
from store import chain
from store.models import Event, Listing, Snapshot
from store.serialize import event_json, listing_json
from store.snapshots import verify_chain

BATCH = 1000  # snapshots read at a time
ALL_RUNS = 100_000  # the report's states over time: all of them, in practice


@dataclass(frozen=True)
class Spooled:
    """A part written to disk: where, and its SHA-256 and size."""
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Parts:
    small: dict[str, bytes]  # listing.json, events.json, p2b.json
    spooled: dict[str, Spooled]  # snapshots.json, report.html
    snapshots: int
    chain_head: str | None


class _HashingFile:
    def __init__(self, file: BinaryIO):
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)


def snapshot_record(snapshot: Any) -> dict[str, Any]:
    """Exactly the chained fields, plus the chain hash that seals them."""
    return {**chain.payload(snapshot), "chain_hash": snapshot.chain_hash}


def streamed_snapshots(session: Session, listing_id: int) -> Iterator[Snapshot]:
    """The listing's snapshots, oldest first, BATCH at a time (a server-side cursor on PostgreSQL)."""
    yield from session.scalars(select(Snapshot).where(Snapshot.listing_id == listing_id).order_by(Snapshot.seq)
                               .execution_options(yield_per=BATCH))


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _spool(folder: Path, name: str, chunks: Iterator[bytes]) -> Spooled:
    path = folder / name
    with path.open("wb") as file:
        sink = _HashingFile(file)
        for chunk in chunks:
            sink.write(chunk)
    return Spooled(path, sink.digest.hexdigest(), sink.size)


def _snapshots_json(session: Session, listing_id: int, seen: dict[str, Any]) -> Iterator[bytes]:
    """snapshots.json as `_json(list)` would write it, a record at a time; counts and re-walks the chain into
    `seen` on the way (split on "\\n" only: JSON escapes every newline inside a string)."""
    seen.update(count=0, head=None, problems=[])
    yield b"["
    for snapshot in streamed_snapshots(session, listing_id):
        seen["problems"] += verify_chain([snapshot], after=seen["head"] if seen["count"] else None)
        text = json.dumps(snapshot_record(snapshot), ensure_ascii=False, indent=2, sort_keys=True)
        yield (",\n" if seen["count"] else "\n").encode() + "\n".join("  " + line for line in text.split("\n")).encode()
        seen["count"] += 1
        seen["head"] = snapshot.chain_hash
    yield b"\n]\n" if seen["count"] else b"]\n"


def report_ui(catalogues: dict, listing: Listing) -> Ui:
    """The report is read by the seller and whoever they hand it to: it speaks the account's language, the one the
    seller chose for their alerts (English for a language the observatory does not have)."""
    return ui_for(catalogues, listing.account.lang if listing.account else "")


def bundle_parts(session: Session, listing: Listing, *, now: datetime, folder: Path) -> Parts:
    """The bundle's files from the listing's history: the small ones in memory, the big ones in `folder`."""
    events = session.scalars(select(Event).where(Event.listing_id == listing.id)
                             .order_by(Event.detected_at, Event.id)).all()
    lines = listing_view.timelines(session, listing.id, limit=None)
    seen: dict[str, Any] = {}
    spooled = {"snapshots.json": _spool(folder, "snapshots.json", _snapshots_json(session, listing.id, seen))}
    env = environment()
    ui = report_ui(env.globals["catalogues"], listing)
    report = env.get_template("report.html").generate(
        ui=ui, listing=listing, snapshots=streamed_snapshots(session, listing.id), snapshot_count=seen["count"],
        events=events, timelines=lines, runs=listing_view.state_runs(session, listing.id, limit=ALL_RUNS),
        chart=listing_view.chart(session, listing.id, events, ui), chart_points=listing_view.CHART_POINTS, created_at=now, chain_head=seen["head"],
        chain_problems=seen["problems"])
    spooled["report.html"] = _spool(folder, "report.html", (part.encode() for part in report))
    small = {"listing.json": _json(listing_json(listing)), "events.json": _json([event_json(e) for e in events]),
             "p2b.json": _json([p2b.timeline_json(line) for line in lines])}
    return Parts(small, spooled, seen["count"], seen["head"])
