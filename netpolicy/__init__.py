"""Which network addresses Vigie may connect to: the one guard of listing URLs and channel targets.

A URL an SME types (a listing, a webhook, a chat server) must not reach the operator's network:
`http://169.254.169.254/` or `http://0x7f.1:6379/` would read cloud metadata or poke internal services.
`check_public` refuses a URL unless every address its host stands for is public; `unsafe_kind` says why
one address is refused. The crawler (crawler.netguard: Scrapy middleware and resolver) and the alert
channels (alerts.channel_guard) both build on these; this package depends on nothing of Vigie's.

`VIGIE_ALLOW_NETWORKS` (e.g. `198.18.0.0/24`) lets the networks it names through and nothing else;
`VIGIE_ALLOW_PRIVATE_HOSTS` lets every private and loopback address through (local use and tests).
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Callable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    """A URL the crawler must not fetch; the message is one line saying why."""


class Unresolvable(UnsafeURL):
    """The host has no address now. Registration may accept it (DNS can be down); fetching may not."""


def parse_networks(text: str) -> tuple[Network, ...]:
    """`198.18.0.0/24, fd00:1::/64` → networks; ValueError (one line) on a typo or a host address."""
    networks = []
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        try:
            network = ipaddress.ip_network(item)  # strict: `198.18.0.1/24` is a typo, not a network
        except ValueError as exc:
            raise ValueError(f"{item!r} is not a network like 198.18.0.0/24 ({exc})") from None
        networks.append(network)
    return tuple(networks)


def check_public(url: str, *, allow_private: bool, resolve: Resolver = socket.getaddrinfo,
                 allow_networks: tuple[Network, ...] = ()) -> None:
    """Raise UnsafeURL unless every address the URL's host stands for is a public one.

    With `allow_private` (local use and tests) loopback, private, link-local and reserved
    targets pass; multicast and unspecified addresses never do. Addresses in `allow_networks`
    pass too, and only they.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"refused: unparseable URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"refused: {parts.scheme or 'scheme-less'} URLs are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("refused: no host in URL")
    literal = ip_literal(host)
    if literal is not None:
        kind = unsafe_kind(literal, allow_private=allow_private, allow_networks=allow_networks)
        if kind:
            raise UnsafeURL(f"refused: {host} is {_article(kind)} {kind} address")
        return
    for address in resolved_addresses(host, port, resolve):
        kind = unsafe_kind(address, allow_private=allow_private, allow_networks=allow_networks)
        if kind:
            raise UnsafeURL(f"refused: {host} resolves to {address}, {_article(kind)} {kind} address")


def ip_literal(host: str) -> Address | None:
    """The address a host written as a number stands for, in every form resolvers accept.

    `127.0.0.1`, `::1`, and the legacy IPv4 forms `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`.
    """
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if all(c in "0123456789abcdefxABCDEFX." for c in host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def resolved_addresses(host: str, port: int | None, resolve: Resolver) -> list[Address]:
    try:
        infos = resolve(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"refused: cannot resolve {host} ({exc})") from None
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except (ValueError, IndexError, TypeError):
            continue
    if not addresses:
        raise Unresolvable(f"refused: cannot resolve {host} (no address)")
    return addresses


def unsafe_kind(address: Address, *, allow_private: bool, allow_networks: tuple[Network, ...] = ()) -> str | None:
    """Why this address may not be fetched ("loopback", "private", ...), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return unsafe_kind(embedded, allow_private=allow_private, allow_networks=allow_networks)
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if allow_private or any(address in network for network in allow_networks):
        return None
    for kind in ("loopback", "link_local", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-public"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64): the one really reached."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"
