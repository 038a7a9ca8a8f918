"""A delisting's evidence exported as WACZ and zip, verified layer by layer by `vigie verify-evidence`."""
from __future__ import annotations

import io
import json
import zipfile

from warcio.archiveiterator import ArchiveIterator

from observatory.verify_evidence import verify_evidence

from tests.evidence.conftest import World

LAYERS = ("hash chain", "WACZ digests", "signature", "timestamps")


def test_the_checks_ran_while_the_authority_was_down_and_were_stamped_after(world: World):
    first, down, back = (run.json() for run in world.passes)
    assert first["timestamps"] == {"stamped": 1, "pending": 0, "problem": None}
    assert down["timestamps"]["stamped"] == 0 and down["timestamps"]["pending"] == 1
    assert "503" in down["timestamps"]["problem"] and down["checked"] == 1
    assert back["checked"] == 0 and back["timestamps"] == {"stamped": 1, "pending": 0, "problem": None}
    events = world.vigie.ok("events", "--json").json()
    assert [e["kind"] for e in events] == ["delisted"]


def test_the_wacz_verifies_layer_by_layer(world: World):
    run = world.vigie("verify-evidence", str(world.wacz), "--tsa-cert", str(world.tsa.ca_pem))
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == list(LAYERS)
    assert all(": ok" in line for line in lines[:4]), lines
    assert "CN=Vigie Test Root CA" in lines[3] and "snapshot 2 existed by" in lines[3]
    assert lines[-1].endswith("intact")
    # the CA bundled from VIGIE_TSA_CERTS is enough when no --tsa-cert is given
    assert all(layer.ok for layer in verify_evidence(world.wacz))


def test_the_zip_bundle_carries_the_same_stamps(world: World):
    run = world.vigie("verify-evidence", str(world.bundle), "--tsa-cert", str(world.tsa.ca_pem))
    assert run.code == 0, run.err
    assert "timestamps: ok (2 token(s)" in run.out or "timestamps: ok (1 token(s)" in run.out
    assert "signature: ok (not applicable" in run.out


def test_the_wacz_holds_the_package_files_and_the_capture_context(world: World):
    with zipfile.ZipFile(world.wacz) as z:
        names = set(z.namelist())
        package = json.loads(z.read("datapackage.json"))
        digest = json.loads(z.read("datapackage-digest.json"))
        warc = z.read("archive/data.warc.gz")
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").splitlines()]
        index = z.read("indexes/index.cdx").decode().splitlines()
        assert all(z.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names)
    assert {"datapackage.json", "datapackage-digest.json", "archive/data.warc.gz", "indexes/index.cdx",
            "pages/pages.jsonl", "vigie/snapshots.json", "vigie/timestamps.json", "vigie/tsa-certs.pem"} <= names
    assert {r["path"] for r in package["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
    assert package["wacz_version"] == "1.1.1" and digest["signedData"]["publicKey"]
    assert pages[0]["format"] == "json-pages-1.0" and pages[1]["url"] == world.page_url
    assert any(line.startswith("1,0,0,127") for line in index)  # SURT of http://127.0.0.1:port/...
    kinds, infos, ips, redirects = [], [], set(), []
    for record in ArchiveIterator(io.BytesIO(warc)):
        kinds.append(record.rec_type)
        ips.add(record.rec_headers.get_header("WARC-IP-Address"))
        if record.rec_type == "warcinfo":
            infos.append(record.content_stream().read().decode())
        if record.rec_type == "response" and record.http_headers.get_statuscode() == "302":
            redirects.append(record.http_headers.get_header("Location"))
    assert kinds[0] == "warcinfo" and "vigie-signing-key-sha256" in infos[0]
    assert kinds.count("metadata") == 2 and kinds.count("request") == 2
    assert "127.0.0.1" in ips
    assert redirects and "/search?q=" in redirects[0]
    with zipfile.ZipFile(world.wacz) as z:
        snapshots = json.loads(z.read("vigie/snapshots.json"))
        assert "127.0.0.1 · direct" in z.read("vigie/report.html").decode()  # the context, for a human reader
    capture = snapshots[0]["capture"]
    assert capture["ip_address"] == "127.0.0.1" and capture["egress"] == "direct"
    assert capture["user_agent"].startswith("Mozilla/5.0 (compatible; Vigie")
    assert capture["vigie_version"] and "system clock" in capture["clock_source"]
    assert any(k.lower() == "content-type" for k, _ in capture["response_headers"])
    gone = snapshots[-1]
    if gone["fetch_method"] == "browser":  # the disappearance confirmed in Chromium: its screenshot is a resource
        assert gone["screenshot_sha256"] and "resource" in kinds
        assert "egress proxy" in gone["capture"]["egress"]
    else:
        assert gone["capture"]["redirects"][0]["status"] == 302


def test_neither_a_bundle_nor_a_wacz_is_said_in_one_line(world: World, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    run = world.vigie("verify-evidence", str(text))
    assert run.code == 2 and run.err.strip().count("\n") == 0 and "not an evidence bundle" in run.err
