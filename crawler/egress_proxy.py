"""The browser's only way out: a local proxy that connects to public addresses only.

Chromium follows redirects and resolves names itself, out of reach of the route handler
(crawler.browser_routes), which Playwright never calls for a redirect: a public page that answers
`302 Location: http://127.0.0.1/` would be fetched. Every browser request is therefore sent through
this proxy (Playwright's `proxy` launch option, loopback included), which resolves the host once,
checks every address with the netguard and connects to the address it checked, so neither a
redirect, a numeric spelling nor a DNS answer that changes (rebinding) reaches a private service.

A refused request gets `403` with the reason in `X-Vigie-Refused` (the header is stripped from
what real servers send); plain HTTP is one request per connection (`Connection: close`), so each
request is checked; HTTPS goes through CONNECT, checked per tunnel.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from urllib.parse import urlsplit

from crawler.netguard import Network, UnsafeURL, _article, ip_literal, unsafe_kind

log = logging.getLogger(__name__)

REFUSED_HEADER = "X-Vigie-Refused"
HEAD_LIMIT = 64 * 1024
COPY_CHUNK = 256 * 1024
_HOP_HEADERS = (b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization")

EGRESS_OPTION = "vigie_egress"  # in PLAYWRIGHT_LAUNCH_OPTIONS: what the proxy allows; not passed to Playwright


class EgressProxy:
    """`await start()` → the port on 127.0.0.1; `close()` when the browser is gone."""

    def __init__(self, *, allow_private: bool, allow_networks: tuple[Network, ...] = ()):
        self.allow_private = allow_private
        self.allow_networks = allow_networks
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        """Serves on an event loop of its own thread: the crawler's loop is busy with pages and Playwright,
        and a redirect chain crosses the proxy once per hop."""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="vigie-egress-proxy", daemon=True)
        self.thread.start()
        self.server = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._client, "127.0.0.1", 0, limit=HEAD_LIMIT), self.loop))
        return self.server.sockets[0].getsockname()[1]

    def close(self) -> None:
        loop, thread = self.loop, self.thread
        if loop is None or thread is None:
            return
        self.loop = self.thread = None

        async def shut() -> None:
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(shut(), loop).result(timeout=5)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                upstream = await self._open(host.strip("[]"), int(port), writer)
                if upstream is None:
                    return
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await self._pipe(reader, writer, *upstream)
                return
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.hostname:
                await self._refuse(writer, f"refused: the proxy only forwards http:// URLs, not {target[:80]!r}")
                return
            upstream = await self._open(parts.hostname, parts.port or 80, writer)
            if upstream is None:
                return
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            up_reader, up_writer = upstream
            up_writer.write(_rewritten(head, f"{method} {path} HTTP/1.1".encode("latin-1")))
            # the answer's head, without a refusal header a server might forge
            answer = await up_reader.readuntil(b"\r\n\r\n")
            writer.write(_answer_head(answer))
            await self._pipe(reader, writer, up_reader, up_writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _open(self, host: str, port: int, writer: asyncio.StreamWriter):
        """A connection to a checked address of `host`, or None once the refusal is answered."""
        try:
            address = await self._checked_address(host, port)
        except UnsafeURL as exc:
            await self._refuse(writer, str(exc))
            return None
        try:
            return await asyncio.wait_for(asyncio.open_connection(str(address), port, limit=HEAD_LIMIT), 30)
        except (OSError, asyncio.TimeoutError) as exc:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            log.debug("egress proxy: %s:%s unreachable (%s)", host, port, exc)
            return None

    async def _checked_address(self, host: str, port: int):
        literal = ip_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                raise UnsafeURL(f"cannot resolve {host} ({exc})") from None
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
            if not addresses:
                raise UnsafeURL(f"cannot resolve {host} (no address)")
        for address in addresses:  # every answer must be public: the one connected to is among them
            kind = unsafe_kind(address, allow_private=self.allow_private, allow_networks=self.allow_networks)
            if kind:
                shown = host if literal is not None else f"{host} resolves to {address},"
                verb = "is" if literal is not None else ""
                raise UnsafeURL(" ".join(filter(None, (shown, verb, _article(kind), kind, "address"))))  # "refused: " added
        return addresses[0]

    async def _refuse(self, writer: asyncio.StreamWriter, reason: str) -> None:
        line = reason.replace("\r", " ").replace("\n", " ")[:300]
        body = line.encode("utf-8", "replace")
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     + f"{REFUSED_HEADER}: ".encode() + line.encode("latin-1", "replace") + b"\r\n"
                     + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()

    async def _pipe(self, reader, writer, up_reader, up_writer) -> None:
        """Both ways until either side ends; then both are closed. A browser that drops a page (over the
        size limit) must not leave the proxy reading the rest of a 100 MB body."""
        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while (data := await source.read(COPY_CHUNK)) and not sink.is_closing():
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass

        tasks = [asyncio.ensure_future(copy(reader, up_writer)), asyncio.ensure_future(copy(up_reader, writer))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            up_writer.close()
            writer.close()


def _rewritten(head: bytes, request_line: bytes) -> bytes:
    """The request in origin form, one request per connection."""
    lines = [line for line in head.split(b"\r\n")[1:] if line
             and line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
    return b"\r\n".join([request_line, *lines, b"Connection: close", b"", b""])


def _answer_head(head: bytes) -> bytes:
    """The server's answer head, saying `Connection: close` (so the browser never sends a second request,
    unchecked, down this connection) and without a refusal header the server might forge."""
    dropped = (*_HOP_HEADERS, REFUSED_HEADER.lower().encode())
    lines = [line for line in head.split(b"\r\n")[1:] if line
             and line.split(b":", 1)[0].strip().lower() not in dropped]
    return b"\r\n".join([head.split(b"\r\n", 1)[0], *lines, b"Connection: close", b"", b""])
