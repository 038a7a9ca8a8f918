"""The evidence bundle's growing parts are written a snapshot at a time (observatory.bundle_parts), yet keep the
bytes the whole-list JSON gave: bundles made before and after verify the same way, whatever the text holds."""
from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from decimal import Decimal

from observatory.bundle_parts import BATCH, snapshot_record
from observatory.evidence import export_bundle, verify_bundle
from store.db import session_scope
from store.models import Listing
from store.snapshots import append, history
from tests.observatory.seed import T0, seed

AWKWARD = ("ligne\nsuivante", "sépar\u2028ateur de ligne", "tab\tet \"guillemets\"", "emoji 🛒", "", "  \n  ")


def _whole_list_json(records) -> bytes:
    return (json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def test_streamed_snapshots_json_is_byte_for_byte_the_whole_list_json(sessions, tmp_path):
    seeded = seed(sessions)
    with session_scope(sessions) as s:
        for n, title in enumerate(AWKWARD * 3):
            append(s, seeded.alice_listing, fetched_at=T0 + timedelta(days=30, minutes=n), requested_url="https://x",
                   outcome="listed", title=title, price=Decimal("19.90"), currency="EUR", reasons=[title])
    with session_scope(sessions) as s:
        expected = _whole_list_json([snapshot_record(r) for r in history(s, seeded.alice_listing)])
        data = export_bundle(s, seeded.alice_listing, now=T0, out=tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        assert z.read("snapshots.json") == expected
        assert "<td>23</td>" in z.read("report.html").decode()  # the snapshot count, known before the rows
    assert verify_bundle(data) == []


def test_a_listing_with_more_snapshots_than_a_batch_keeps_its_chain_whole(sessions, tmp_path):
    seeded = seed(sessions)
    with session_scope(sessions) as s:
        for n in range(BATCH + 7):
            append(s, seeded.bob_listing, fetched_at=T0 + timedelta(minutes=n + 1), requested_url="https://x",
                   outcome="listed" if n % 9 else "blocked")
    with session_scope(sessions) as s:
        data = export_bundle(s, seeded.bob_listing, now=T0, out=tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        snapshots = json.loads(z.read("snapshots.json"))
        assert [r["seq"] for r in snapshots] == list(range(1, BATCH + 9))
        assert json.loads(z.read("manifest.json"))["snapshots"] == BATCH + 8
        assert "intact" in z.read("report.html").decode()
    assert verify_bundle(data) == []


def test_an_empty_history_writes_an_empty_list(sessions, tmp_path):
    seeded = seed(sessions)
    with session_scope(sessions) as s:
        fresh = Listing(account_id=seeded.alice_account, url="https://www.amazon.fr/dp/B000000001",
                        canonical_url="https://www.amazon.fr/dp/B000000001", marketplace="amazon", created_at=T0,
                        next_check_at=T0)
        s.add(fresh)
        s.flush()
        listing_id = fresh.id
    with session_scope(sessions) as s:
        data = export_bundle(s, listing_id, now=T0, out=tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        assert z.read("snapshots.json") == b"[]\n"
    assert verify_bundle(data) == []
