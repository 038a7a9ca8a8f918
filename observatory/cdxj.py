"""CDXJ index lines for the records of a WACZ (the index replay tools read to find a capture without
scanning the WARC): `<SURT key> <14-digit timestamp> {json}`, sorted.

The key is the SURT form replay tools compute (host reversed, `www.` dropped, lower case, query arguments
sorted), written here for the URLs Vigie stores rather than pulling in the `surt` package and its
tldextract dependency for one function.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


def surt(url: str) -> str:
    if url.startswith("urn:"):
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split("."))) + (f":{parts.port}" if parts.port and parts.port not in (80, 443) else "")
    path = (parts.path or "/").lower()
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True))).lower()
    return f"{key}){path}" + (f"?{query}" if query else "")


def cdxj_line(record: Any, *, filename: str, offset: int, length: int) -> str:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    stamp = "".join(ch for ch in headers.get_header("WARC-Date")[:19] if ch.isdigit())
    data: dict[str, Any] = {"url": url, "digest": headers.get_header("WARC-Payload-Digest"),
                            "length": str(length), "offset": str(offset), "filename": filename}
    if record.rec_type == "response" and record.http_headers is not None:
        data["status"] = record.http_headers.get_statuscode()
        data["mime"] = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip() or "unk"
        if record.http_headers.get_header("Location"):
            data["redirect"] = record.http_headers.get_header("Location")
    else:
        data["mime"] = headers.get_header("Content-Type") or "unk"
        data["status"] = "200"
    return f"{surt(url)} {stamp} {json.dumps(data, sort_keys=True)}"
