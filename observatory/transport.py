"""How the observatory is reached: its public URL (https turns on Secure cookies and HSTS) and the
reverse proxies whose X-Forwarded-For / X-Forwarded-Proto it believes.

Forwarded headers are trusted from no one unless named: uvicorn's own default trusts 127.0.0.1, which
lets any local client pick the address the login throttle counts against.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

HSTS = "max-age=31536000; includeSubDomains"


class TransportError(ValueError):
    """A public URL or proxy list Vigie cannot use; the message names it."""


@dataclass(frozen=True)
class Transport:
    public_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()

    @property
    def https(self) -> bool:
        return self.public_url is not None and self.public_url.startswith("https://")

    def uvicorn_options(self) -> dict:
        if not self.trusted_proxies:
            return {"proxy_headers": False, "forwarded_allow_ips": ""}
        return {"proxy_headers": True, "forwarded_allow_ips": ",".join(self.trusted_proxies)}


def transport(public_url: str | None, trusted_proxies: str | None) -> Transport:
    return Transport(_public_url(public_url), _proxies(trusted_proxies))


def _public_url(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"public URL {raw!r} must look like https://vigie.example.fr")
    return raw.rstrip("/")


def _proxies(raw: str | None) -> tuple[str, ...]:
    found = []
    for item in (raw or "").replace(" ", ",").split(","):
        if not item:
            continue
        if item == "*":
            raise TransportError("trusted proxies: name the proxy addresses, not * (anyone could forge theirs)")
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise TransportError(f"trusted proxies: {item!r} is not an IP address or network") from None
    return tuple(found)
