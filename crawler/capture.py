"""The context of one fetch, kept with its snapshot: how, from where and through what the page was fetched.

French practice for web evidence (NF Z67-147) asks for the capture's context beside the capture: the
machine, the network path, the proxy, the software and the clock. What Scrapy or scrapy-playwright know of a
response is recorded here as plain JSON (it is chained with the snapshot, store.chain); what they do not know
(the browser's upstream address, hidden behind Vigie's own egress proxy) is said, not guessed.
"""
from __future__ import annotations

import hashlib
import platform
import time
from functools import lru_cache
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.http import Request, Response

# never kept: credentials Vigie itself would send (a proxy's, a future API's)
SECRET_REQUEST_HEADERS = {"authorization", "proxy-authorization"}


@lru_cache(maxsize=1)
def software() -> dict[str, str]:
    """Vigie's and Scrapy's versions, the machine and the clock: the same for every fetch of a process."""
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    clock = time.get_clock_info("time")
    return {
        "vigie_version": version("vigie"),
        "scrapy_version": version("scrapy"),
        "machine": platform.node(),
        "platform": platform.platform(),
        "clock_source": f"system clock ({clock.implementation}, resolution {clock.resolution:g} s), UTC",
    }


def capture_context(response: Response, *, browser: bool) -> dict[str, Any]:
    """The capture context of a response as JSON-ready values (str, int, lists)."""
    request = response.request
    context: dict[str, Any] = {
        **software(),
        "ip_address": str(response.ip_address) if response.ip_address is not None else None,
        "http_version": response.protocol or None,
        "user_agent": _header(request, "User-Agent"),
        "egress": _egress(request, browser=browser),
        "request_headers": [[k, v] for k, v in _pairs(request.headers if request is not None else {})
                            if k.lower() not in SECRET_REQUEST_HEADERS],
        "response_headers": [[k, v] for k, v in _pairs(response.headers)],
        "redirects": _redirects(response),
        **_tls(response, browser=browser),
    }
    if browser:
        # the browser talks to Vigie's egress proxy on loopback; the upstream address stays inside the proxy
        context["ip_address_note"] = "browser fetch through Vigie's egress proxy: the address is the proxy's"
    return context


def _header(request: Request | None, name: str) -> str | None:
    if request is None:
        return None
    value = request.headers.get(name)
    return value.decode("latin-1") if value is not None else None


def _pairs(headers: Any) -> list[tuple[str, str]]:
    # Scrapy's Headers is a dict of normalised name -> list of bytes; its own items() re-normalises every key
    items = dict.items(headers) if isinstance(headers, dict) else []
    pairs = []
    for name, values in items:
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values if isinstance(values, list) else [values]:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


def _egress(request: Request | None, *, browser: bool) -> str:
    proxy = request.meta.get("proxy") if request is not None else None
    if proxy:
        parts = urlsplit(proxy)  # a proxy's user and password are not evidence
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return f"proxy {urlunsplit((parts.scheme, netloc, parts.path, '', ''))}"
    if browser:
        return "Chromium (Playwright) through Vigie's loopback egress proxy, then direct"
    return "direct"


def _redirects(response: Response) -> list[dict[str, Any]]:
    """The hops before the final URL: each redirecting URL, its status and where it pointed."""
    request = response.request
    if request is None:
        return []
    urls = list(request.meta.get("redirect_urls") or [])
    statuses = list(request.meta.get("redirect_reasons") or [])
    targets = urls[1:] + [response.url]
    return [{"url": url, "status": status if isinstance(status, int) else None, "location": target}
            for url, status, target in zip(urls, statuses + [None] * len(urls), targets)]


def _tls(response: Response, *, browser: bool) -> dict[str, Any]:
    certificate = getattr(response, "certificate", None)
    if certificate is not None:
        from OpenSSL import crypto  # noqa: PLC0415 (pyOpenSSL comes with Scrapy; only https needs it)

        original = certificate.original
        der = crypto.dump_certificate(crypto.FILETYPE_ASN1, original)
        return {"tls_leaf_sha256": hashlib.sha256(der).hexdigest(),
                "tls_subject": _name(original.get_subject()), "tls_issuer": _name(original.get_issuer())}
    details = response.meta.get("playwright_security_details") if browser else None
    if details:  # Chromium gives names and validity, not the certificate's bytes
        return {"tls_leaf_sha256": None, "tls_subject": details.get("subjectName"),
                "tls_issuer": details.get("issuer"), "tls_protocol": details.get("protocol")}
    return {}


def _name(name: Any) -> str:
    return ", ".join(f"{k.decode()}={v.decode(errors='replace')}" for k, v in name.get_components())
