"""Only public hosts are fetched: a listing URL (or a redirect) must not reach the operator's network.

Vigie fetches URLs that SMEs type in; without this guard `http://169.254.169.254/` or
`http://0x7f.1:6379/` would make the crawler read cloud metadata or poke internal services,
and store the answer as evidence anyone on the account can download.

Two checks: the middleware refuses a URL before it is queued (every address the name stands
for), and the resolver Scrapy connects with (`PublicOnlyResolver`) refuses a non-public address
at the moment of connecting, so a DNS answer that changes in between (rebinding) is caught too.
Browser fetches are checked per host by crawler.browser_routes, but Chromium resolves names
itself: an egress firewall remains the complete answer for hostile deployments.

`VIGIE_ALLOW_NETWORKS` (e.g. `198.18.0.0/24`) lets the networks it names through and nothing else:
a test network standing for public marketplaces, or a partner's intranet. Unlike
`VIGIE_ALLOW_PRIVATE_HOSTS` it leaves loopback, metadata and every other private address refused.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Any, Callable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

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


def allowed_networks(settings: Any) -> tuple[Network, ...]:
    """The crawl's VIGIE_ALLOW_NETWORKS (a comma-separated string, already validated by vigie.settings)."""
    return parse_networks(settings.get("VIGIE_ALLOW_NETWORKS") or "")


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


class PublicOnlyMiddleware:
    """Downloader middleware refusing any request, redirects included, to a non-public host.

    Enabled with the crawler's other middlewares; `VIGIE_ALLOW_PRIVATE_HOSTS` relaxes it for
    local use (the sandbox, tests). A refused request ends in its errback as IgnoreRequest
    carrying the reason, which the spider records as an `error` observation.
    """

    def __init__(self, crawler: Any, *, allow_private: bool, resolve: Resolver = socket.getaddrinfo,
                 allow_networks: tuple[Network, ...] = ()):
        self.crawler = crawler
        self.allow_private = allow_private
        self.allow_networks = allow_networks
        self.resolve = resolve

    @classmethod
    def from_crawler(cls, crawler: Any) -> PublicOnlyMiddleware:
        return cls(crawler, allow_private=crawler.settings.getbool("VIGIE_ALLOW_PRIVATE_HOSTS", False),
                   allow_networks=allowed_networks(crawler.settings))

    async def process_request(self, request: Any) -> None:
        host = urlsplit(request.url).hostname or ""
        try:
            if ip_literal(host) is not None or not host:
                check_public(request.url, allow_private=self.allow_private, resolve=self.resolve,
                             allow_networks=self.allow_networks)
            else:
                await self._check_in_thread(request.url)
        except UnsafeURL as exc:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("vigie/netguard/refused")
            raise IgnoreRequest(str(exc)) from None
        return None

    async def _check_in_thread(self, url: str) -> None:
        # name resolution blocks; the reactor thread must not
        await maybe_deferred_to_future(
            deferToThread(check_public, url, allow_private=self.allow_private, resolve=self.resolve,
                          allow_networks=self.allow_networks)
        )


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, failing a look-up whose answer is not a public address.

    The address checked is the one the downloader then connects to. Installed through Scrapy's
    TWISTED_DNS_RESOLVER setting (and by the service on its own reactor).
    """

    allow_private = False
    allow_networks: tuple[Network, ...] = ()
    REFUSALS_KEPT = 1000

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._refusals: dict[str, str] = {}  # name → why its last look-up was refused (oldest dropped first)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PublicOnlyResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("VIGIE_ALLOW_PRIVATE_HOSTS", False)
        resolver.allow_networks = allowed_networks(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        return super().getHostByName(name, timeout).addCallback(self._public, name)

    def refusal(self, name: str) -> str | None:
        """Why the last look-up of `name` was refused, if it was. Twisted turns the refusal into a bare
        "no results for hostname lookup" on its way to the downloader; the spider asks here for the story."""
        return self._refusals.get(name.lower().rstrip("."))

    def _public(self, address: str, name: str) -> str:
        kind = unsafe_kind(ipaddress.ip_address(address), allow_private=self.allow_private,
                           allow_networks=self.allow_networks)
        key = name.lower().rstrip(".")
        if kind:
            reason = f"refused: {name} resolves to {address}, {_article(kind)} {kind} address"
            if len(self._refusals) >= self.REFUSALS_KEPT:
                self._refusals.pop(next(iter(self._refusals)))
            self._refusals[key] = reason
            raise DNSLookupError(reason)
        self._refusals.pop(key, None)
        return address


def connect_refusal(host: str) -> str | None:
    """The reactor's PublicOnlyResolver's refusal of `host` at connect time (DNS rebinding), if any."""
    from twisted.internet import reactor

    refusal = getattr(getattr(reactor, "resolver", None), "refusal", None)
    return refusal(host) if callable(refusal) and host else None
