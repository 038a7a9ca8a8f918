"""A loopback web server of hostile product pages, for the checks to survive (issue 14, point 4).

Each path is one hostile answer: a body far over the download limit (with and without a
Content-Length), a gzip bomb, files that are no page, redirect loops and chains, a body trickled
one byte a second, broken UTF-8, JSON-LD nested 10,000 deep, implausible prices, a 5 MB JSON-LD
blob; `/good/<n>` is a plain product page, to show the rest of the pass is recorded as usual.
"""
from __future__ import annotations

import functools
import http.server
import json
import threading
import time
import zlib
from typing import Callable

MB = 1024 * 1024
HTML = "text/html; charset=utf-8"


def product_html(price: object = "19.99", *, name: str = "Lampe", extra: dict | None = None) -> str:
    node = {"@context": "https://schema.org", "@type": "Product", "name": name,
            "offers": {"@type": "Offer", "price": price, "priceCurrency": "EUR",
                       "availability": "https://schema.org/InStock"}, **(extra or {})}
    return (f'<html><head><title>{name}</title><script type="application/ld+json">{json.dumps(node)}</script>'
            f"</head><body><h1>{name}</h1><p>{price} €</p><button>Ajouter au panier</button></body></html>")


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 100 KB on the wire, 100 MB of HTML once decompressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    chunk = b"<p>" + b" " * (MB - 7) + b"</p>\n"
    parts = [packer.compress(b"<html><body>")]
    parts += [packer.compress(chunk) for _ in range(100)]
    parts.append(packer.flush())
    return b"".join(parts)


def deep_jsonld(depth: int = 10_000) -> str:
    """A Product whose offer carries a value nested `depth` lists deep."""
    nested = "[" * depth + "]" * depth
    node = ('{"@context": "https://schema.org", "@type": "Product", "name": "Profond", "offers": '
            '{"@type": "Offer", "price": "19.99", "priceCurrency": "EUR", "deep": ' + nested + "}}")
    return (f'<html><head><script type="application/ld+json">{node}</script></head>'
            f"<body><h1>Profond</h1></body></html>")


def blob_jsonld(size: int = 5 * MB) -> str:
    """A product page whose JSON-LD description alone is `size` bytes (varied text, as pages are)."""
    words = [f"mot{n % 9973:04d}" for n in range(size // 8)]
    return product_html("24.50", name="Bavard", extra={"description": " ".join(words)[:size]})


# Smallest valid files of each kind: what a product URL may serve instead of a page.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4d00000000049454e44ae426082")
ZIP = b"PK\x05\x06" + b"\x00" * 18


class HostileHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: the test reads outcomes, not access logs
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        head, _, rest = path.strip("/").partition("/")
        route: Callable | None = getattr(self, f"route_{head.replace('-', '_')}", None)
        try:
            if route is None:
                self.send(404, b"<html><body>not here</body></html>")
            else:
                route(rest)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: that is what the hostile pages are for

    # -- helpers ---------------------------------------------------------------------------------
    def send(self, status: int, body: bytes, content_type: str = HTML, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, to: str) -> None:
        self.send(302, b"", headers={"Location": to})

    # -- routes ----------------------------------------------------------------------------------
    def route_good(self, rest: str) -> None:
        self.send(200, product_html("19.99", name=f"Bon {rest}").encode())

    def route_big_chunked(self, rest: str) -> None:
        """100 MB of HTML in chunks, no Content-Length."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"x" * (MB - 8) + b"</p>\n"
        for _ in range(100):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def route_big_length(self, rest: str) -> None:
        """100 MB announced by Content-Length (and sent, if the client reads on)."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(100 * MB))
        self.end_headers()
        chunk = b"x" * MB
        for _ in range(100):
            self.wfile.write(chunk)

    def route_gzip_bomb(self, rest: str) -> None:
        self.send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})

    def route_pdf(self, rest: str) -> None:
        self.send(200, PDF, "application/pdf")

    def route_png(self, rest: str) -> None:
        self.send(200, PNG, "image/png")

    def route_zip(self, rest: str) -> None:
        self.send(200, ZIP, "application/zip")

    def route_loop(self, rest: str) -> None:
        """/loop/a → /loop/b → /loop/a → …"""
        self.redirect("/loop/b" if rest != "b" else "/loop/a")

    def route_chain(self, rest: str) -> None:
        """/chain/30 → /chain/29 → … → /chain/0, a product page: 30 redirects."""
        left = int(rest or "0")
        if left > 0:
            self.redirect(f"/chain/{left - 1}")
        else:
            self.send(200, product_html().encode())

    def route_slow(self, rest: str) -> None:
        """A product page trickled one byte a second (the whole of it would take half an hour)."""
        body = product_html().encode()
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(1)

    def route_bad_utf8(self, rest: str) -> None:
        body = product_html("19.99", name="Lampe \xe9").encode()
        body = body.replace(b"<h1>", b"<h1>\xff\xfe\xc3\x28\xed\xa0\x80", 1)  # invalid sequences, surrogates
        self.send(200, body)

    def route_deep(self, rest: str) -> None:
        self.send(200, deep_jsonld().encode())

    def route_price(self, rest: str) -> None:
        self.send(200, product_html(rest).encode())

    def route_blob(self, rest: str) -> None:
        self.send(200, blob_jsonld().encode())


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # the accept loop shares the GIL with threads streaming 100 MB: a backlog of 5 (socketserver's) let a
    # browser's connection wait out a SYN retry on a loaded machine
    request_queue_size = 64

    def handle_error(self, request, client_address) -> None:  # clients hanging up is the point here
        pass


class HostileServer:
    """The server on 127.0.0.1, in daemon threads; `.url` has no trailing slash."""

    def __init__(self) -> None:
        self._server = _QuietServer(("127.0.0.1", 0), HostileHandler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="hostile", daemon=True)

    def __enter__(self) -> HostileServer:
        gzip_bomb()  # built before any check starts, so no check waits on it
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
