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

from said import N_, Refusal, Text

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(Refusal, ValueError):
    """A URL the crawler must not fetch; the message is one line saying why, "refused: " and the `reason` (a
    said.Text, translated on a page)."""

    def __init__(self, message: str = "", /, **params):
        self.reason = Text(message, **params)
        super().__init__(N_("refused: %(reason)s"), reason=self.reason)


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
        raise UnsafeURL(N_("unparseable URL (%(why)s)"), why=exc) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(N_("%(scheme)s URLs are not fetched"), scheme=parts.scheme or "scheme-less")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL(N_("no host in URL"))
    literal = ip_literal(host)
    if literal is not None:
        kind = unsafe_kind(literal, allow_private=allow_private, allow_networks=allow_networks)
        if kind:
            raise UnsafeURL(N_("%(host)s is %(address)s"), host=host, address=address_word(kind))
        return
    for address in resolved_addresses(host, port, resolve):
        kind = unsafe_kind(address, allow_private=allow_private, allow_networks=allow_networks)
        if kind:
            raise UnsafeURL(N_("%(host)s resolves to %(ip)s, %(address)s"), host=host, ip=str(address),
                            address=address_word(kind))


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
        raise Unresolvable(N_("cannot resolve %(host)s (%(why)s)"), host=host, why=exc) from None
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except (ValueError, IndexError, TypeError):
            continue
    if not addresses:
        raise Unresolvable(N_("cannot resolve %(host)s (no address)"), host=host)
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


# "a loopback address": one phrase per kind, so that a language puts its article and adjective where it wants
ADDRESS_WORDS = {
    "unspecified": N_("an unspecified address"),
    "multicast": N_("a multicast address"),
    "loopback": N_("a loopback address"),
    "link-local": N_("a link-local address"),
    "reserved": N_("a reserved address"),
    "private": N_("a private address"),
    "non-public": N_("a non-public address"),
}


def address_word(kind: str) -> Text:
    return Text(ADDRESS_WORDS[kind]) if kind in ADDRESS_WORDS else Text(f"{_article(kind)} {kind} address")


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"
