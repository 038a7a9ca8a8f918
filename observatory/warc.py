"""A listing's stored fetches as WARC 1.1 records (warcio), the web archives' own format.

For each snapshot, in chain order: the redirect hops, the request, the response (status line, headers and
body), the screenshot as a `resource` record, and a `metadata` record holding the snapshot exactly as it is
chained (fields, capture context, chain hash), so a WARC reader finds Vigie's reading beside the bytes.

What the store keeps is what these records can say. Scrapy decodes compressed bodies, so a response record
holds the decoded body with Content-Encoding / Transfer-Encoding removed and Content-Length set to it; hop
records carry only the status and Location Scrapy saw; snapshots recorded before the capture context
(issue 29) have only the "headers that matter". The warcinfo record says so.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any, BinaryIO, Callable
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from observatory.cdxj import cdxj_line

RECORD_NAMESPACE = uuid.UUID("3c5b1a2e-7f0d-4c36-9b8e-1a2d3f4e5c6b")
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
NOTE = ("Records rebuilt from Vigie's store: bodies as decoded by the crawler (no Content-Encoding), hop "
        "records with the status and Location seen, full headers only for snapshots with a capture context.")


@dataclass
class WarcFile:
    """What was written: the CDXJ lines of the replayable records and the pages (for pages.jsonl)."""

    name: str
    index: list[str] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)


def record_id(listing_id: int, seq: int, kind: str) -> str:
    """Stable ids: the same snapshot exported twice gives the same records."""
    return f"<urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, f'{listing_id}/{seq}/{kind}')}>"


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_warc(out: BinaryIO, name: str, snapshots: list[dict[str, Any]], *, blob: Callable[[str], bytes | None],
               info: dict[str, str]) -> WarcFile:
    """Writes the records of `snapshots` (chained records, store.chain.payload + chain_hash) to `out`, one
    gzip member per record; `blob(sha256)` gives a body or screenshot, None when retention pruned it."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    written = WarcFile(name)
    writer.write_record(writer.create_warcinfo_record(name, {**info, "vigie-note": NOTE}))
    for snapshot in snapshots:
        for record in _records(writer, snapshot, blob):
            start = out.tell()
            writer.write_record(record)
            if record.rec_type in ("response", "resource"):
                written.index.append(cdxj_line(record, filename=name, offset=start, length=out.tell() - start))
        if snapshot.get("body_sha256") and snapshot.get("http_status"):
            written.pages.append({"id": record_id(snapshot["listing_id"], snapshot["seq"], "page")[10:-1],
                                  "url": snapshot.get("final_url") or snapshot["requested_url"],
                                  "ts": snapshot["fetched_at"], "title": snapshot.get("title") or ""})
    return written


def _records(writer: WARCWriter, s: dict[str, Any], blob: Callable[[str], bytes | None]) -> list[Any]:
    listing, seq = s["listing_id"], s["seq"]
    date = warc_date(datetime.fromisoformat(s["fetched_at"]))
    capture = s.get("capture") or {}
    url = s.get("final_url") or s["requested_url"]
    records = []
    for number, hop in enumerate(capture.get("redirects") or []):
        headers = StatusAndHeaders(_status(hop.get("status") or 302), [("Location", hop["location"])],
                                   protocol="HTTP/1.1")
        records.append(writer.create_warc_record(hop["url"], "response", payload=BytesIO(b""), length=0,
                                                 http_headers=headers, warc_headers_dict={
                                                     "WARC-Record-ID": record_id(listing, seq, f"hop{number}"),
                                                     "WARC-Date": date}))
    response_id = record_id(listing, seq, "response")
    common = {"WARC-Date": date, **({"WARC-IP-Address": capture["ip_address"]} if capture.get("ip_address") else {})}
    if s.get("http_status"):
        records.append(_request(writer, s, url, capture, date))
        body = blob(s["body_sha256"]) if s.get("body_sha256") else None
        # no bytes: pruned by retention, or never kept (not a web page, over the size limit): not an empty body
        pruned = body is None and s["http_status"] not in (204, 304)
        body = body or b""
        source = capture.get("response_headers") or list((s.get("headers") or {}).items())
        headers = [(k, v) for k, v in source if k.lower() not in DROPPED_HEADERS] + [("Content-Length", str(len(body)))]
        extra = {"WARC-Truncated": "unspecified"} if pruned else {}
        records.append(writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                 http_headers=StatusAndHeaders(_status(s["http_status"]), headers,
                                                                               protocol="HTTP/1.1"),
                                                 warc_headers_dict={"WARC-Record-ID": response_id, **common,
                                                                    **extra}))
    if s.get("screenshot_sha256"):
        png = blob(s["screenshot_sha256"])
        if png is not None:
            records.append(writer.create_warc_record(f"urn:vigie:screenshot:{listing}:{seq}:{url}", "resource",
                                                     payload=BytesIO(png), length=len(png),
                                                     warc_content_type="image/png", warc_headers_dict={
                                                         "WARC-Record-ID": record_id(listing, seq, "screenshot"),
                                                         "WARC-Date": date, "WARC-Concurrent-To": response_id}))
    chained = json.dumps(s, ensure_ascii=False, sort_keys=True, indent=1).encode()
    records.append(writer.create_warc_record(url, "metadata", payload=BytesIO(chained), length=len(chained),
                                             warc_content_type="application/json", warc_headers_dict={
                                                 "WARC-Record-ID": record_id(listing, seq, "metadata"),
                                                 "WARC-Date": date, "WARC-Concurrent-To": response_id}))
    return records


def _request(writer: WARCWriter, s: dict[str, Any], url: str, capture: dict[str, Any], date: str) -> Any:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = capture.get("request_headers") or []
    if not any(k.lower() == "host" for k, _ in headers):
        headers = [["Host", parts.netloc], *headers]
    http = StatusAndHeaders(f"GET {target} HTTP/1.1", [tuple(h) for h in headers], is_http_request=True)
    ids = {"WARC-Record-ID": record_id(s["listing_id"], s["seq"], "request"),
           "WARC-Concurrent-To": record_id(s["listing_id"], s["seq"], "response")}
    return writer.create_warc_record(url, "request", payload=BytesIO(b""), length=0, http_headers=http,
                                     warc_headers_dict={**ids, "WARC-Date": date})


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"
