"""The few pieces of raw ASGI the sandbox needs: a response value, reading a body, sending."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

HTML = "text/html; charset=utf-8"
JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
MAX_BODY = 1 << 20


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, data: object) -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n", JSON)

    @classmethod
    def error(cls, status: int, message: str) -> Response:
        """A one-line JSON error, for the control API."""
        return cls.json(status, {"error": " ".join(message.split())})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status, b"", HTML, (("location", location),))


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def send_response(send: Send, response: Response, *, head: bool = False) -> None:
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(response.body)).encode("latin-1")),
        (b"cache-control", b"no-store"),
    ]
    headers.extend((name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers)
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else response.body})


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
