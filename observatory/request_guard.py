"""What any request may carry, checked before a route parses it or asks who is calling (an ASGI middleware).

A body is read up to its limit (limits.REQUEST_BYTES; the CSV upload's is larger), counted as it streams in, so a
300 MB POST without a token costs at most the limit in memory and ends in a 413. Query values, and the values of
forms other than the upload, must hold no NUL byte (PostgreSQL refuses one in text: a 500) and query values at
most limits.QUERY_CHARS characters (SQLite refuses a LIKE pattern past 50,000 bytes: a 500). A refusal is one
line: JSON {"detail": ...} with 422 (413 for size) on the API, plain text with 400 (413) on the pages.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from vigie import limits

# the upload's own limit (2 MB, checked by the route with a clearer page) plus room for the form around it
BODY_LIMITS = {"/register/csv": limits.CSV_UPLOAD_BYTES + limits.REQUEST_BYTES,
               "/api/import": limits.CSV_UPLOAD_BYTES + limits.REQUEST_BYTES}
FORM = "application/x-www-form-urlencoded"


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class RequestGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")
        try:
            _check_values(scope["query_string"].decode("latin-1"), "query parameter", length=limits.QUERY_CHARS)
            body = await _body(scope, receive)
            if body is None:
                return  # the client went away
            content_type = _header(scope, b"content-type")
            if content_type.startswith(FORM):
                _check_values(body.decode("latin-1"), "form field")
            elif content_type.startswith("multipart/") and scope["path"] not in BODY_LIMITS and b"\x00" in body:
                raise Refused(422, "a form field contains a NUL byte")
        except Refused as refusal:
            await _refuse(send, refusal.status if refusal.status == 413 or api else 400, str(refusal), api=api)
            return
        await self.app(scope, _replay(body, receive), send)


def _check_values(encoded: str, what: str, *, length: int | None = None) -> None:
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            raise Refused(422, f"{what} {limits.shown(name, 20)} contains a NUL byte")
        if length is not None and len(value) > length:
            raise Refused(422, f"{what} {limits.shown(name, 20)} is {len(value):,} characters long: at most {length}")


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1").lower() for k, v in scope["headers"] if k == name), "")


async def _body(scope, receive) -> bytes | None:
    """The whole body, read up to the path's limit; Refused(413) past it, without reading the rest."""
    limit = BODY_LIMITS.get(scope["path"], limits.REQUEST_BYTES)
    too_big = Refused(413, f"the request body is larger than {limit:,} bytes: at most {limit:,}")
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """The body already read, then the client's own messages (a disconnect, for streamed responses)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed():
        return pending.pop() if pending else await receive()
    return replayed


async def _refuse(send, status: int, reason: str, *, api: bool) -> None:
    if api:
        body, media = json.dumps({"detail": reason}).encode(), b"application/json"
    else:
        body, media = reason.encode() + b"\n", b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
