"""Only public hosts are fetched: a listing URL (or a redirect) must not reach the operator's network.

The address rules are netpolicy's (shared with the alert channels); this module applies them to Scrapy.

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
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

# the address rules themselves live in netpolicy (the channels use them too); re-exported for the crawler
from netpolicy import (Address, Network, Resolver, UnsafeURL, Unresolvable, _article, check_public,  # noqa: F401
                       ip_literal, parse_networks, resolved_addresses, unsafe_kind)


def allowed_networks(settings: Any) -> tuple[Network, ...]:
    """The crawl's VIGIE_ALLOW_NETWORKS (a comma-separated string, already validated by vigie.settings)."""
    return parse_networks(settings.get("VIGIE_ALLOW_NETWORKS") or "")


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
