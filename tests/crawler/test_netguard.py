from __future__ import annotations

import asyncio
import socket

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from crawler.netguard import PublicOnlyMiddleware, PublicOnlyResolver, UnsafeURL, check_public, ip_literal


def resolver(*addresses: str):
    """A fake getaddrinfo answering with these addresses, recording what it was asked."""
    asked = []

    def resolve(host, port, *args, **kwargs):
        asked.append((host, port))
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port or 0)) for a in addresses]

    resolve.asked = asked
    return resolve


def failing(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_public_name_passes_and_is_resolved_with_its_port():
    resolve = resolver("93.184.216.34", "2606:2800:220:1::1")
    check_public("https://shop.example.com:8443/p", allow_private=False, resolve=resolve)
    assert resolve.asked == [("shop.example.com", 8443)]


def test_name_resolving_to_a_private_address_is_refused_with_the_reason():
    with pytest.raises(UnsafeURL) as raised:
        check_public("http://example.internal/", allow_private=False, resolve=resolver("10.0.0.1"))
    assert str(raised.value) == "refused: example.internal resolves to 10.0.0.1, a private address"


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(UnsafeURL, match="127.0.0.1, a loopback"):
        check_public("http://mixed.example/", allow_private=False, resolve=resolver("93.184.216.34", "127.0.0.1"))


def test_unresolvable_name_is_refused():
    with pytest.raises(UnsafeURL, match="cannot resolve nowhere.example"):
        check_public("http://nowhere.example/", allow_private=False, resolve=failing)
    with pytest.raises(UnsafeURL, match="cannot resolve"):
        check_public("http://empty.example/", allow_private=False, resolve=resolver())


@pytest.mark.parametrize("url, kind", [
    ("http://127.0.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f.1/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:a9fe:a9fe]/", "link-local"),
    ("http://[2002:0a00:0001::]/", "private"),
    ("http://[64:ff9b::c0a8:1]/", "private"),
    ("http://10.1.2.3/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.1.1:8080/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://100.64.0.1/", "non-public"),
])
def test_numeric_hosts_are_checked_without_resolving(url, kind):
    with pytest.raises(UnsafeURL, match=f"{kind} address"):
        check_public(url, allow_private=False, resolve=failing)


def test_public_numeric_host_passes():
    check_public("http://93.184.216.34/", allow_private=False, resolve=failing)
    check_public("http://[2606:2800:220:1::1]/", allow_private=False, resolve=failing)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://10.0.0.1/", "http://169.254.169.254/",
                                 "http://[::1]/"])
def test_allow_private_lets_local_targets_through(url):
    check_public(url, allow_private=True, resolve=failing)


@pytest.mark.parametrize("url", ["http://0.0.0.0/", "http://224.0.0.1/", "http://[::ffff:0.0.0.0]/"])
def test_allow_private_still_refuses_multicast_and_unspecified(url):
    with pytest.raises(UnsafeURL):
        check_public(url, allow_private=True, resolve=failing)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "http:///nohost"])
def test_non_http_or_hostless_urls_are_refused(url):
    with pytest.raises(UnsafeURL):
        check_public(url, allow_private=True, resolve=resolver("93.184.216.34"))


def test_ip_literal_does_not_take_hex_looking_names_for_numbers():
    assert ip_literal("cafe.de") is None
    assert ip_literal("deadbeef") is None
    assert str(ip_literal("0xA.0.0.1")) == "10.0.0.1"


# -- the Scrapy middleware -----------------------------------------------------------------------
def middleware(**settings):
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return PublicOnlyMiddleware.from_crawler(crawler), crawler


def test_middleware_refuses_private_literal_and_counts_it():
    mw, crawler = middleware()
    with pytest.raises(IgnoreRequest, match="refused: 169.254.169.254 is a link-local address"):
        asyncio.run(mw.process_request(Request("http://169.254.169.254/latest/meta-data/")))
    assert crawler.stats.get_value("vigie/netguard/refused") == 1


def test_middleware_setting_allows_private_hosts():
    mw, crawler = middleware(VIGIE_ALLOW_PRIVATE_HOSTS=True)
    assert asyncio.run(mw.process_request(Request("http://127.0.0.1:8000/p"))) is None
    assert crawler.stats.get_value("vigie/netguard/refused") is None


def test_middleware_default_refuses_private_hosts():
    mw, _ = middleware()
    assert mw.allow_private is False


def resolver_for(**settings) -> PublicOnlyResolver:
    return PublicOnlyResolver.from_crawler(get_crawler(settings_dict=settings), reactor=object())


def looked_up(resolver: PublicOnlyResolver, name: str, address: str):
    """What the resolver answers for `name` when the DNS says `address` (through Scrapy's cache, so no
    reactor thread is needed): the address, or the failure."""
    dnscache[name] = address
    try:
        outcome: list = []
        resolver.getHostByName(name).addBoth(outcome.append)
        return outcome[0]
    finally:
        del dnscache[name]


def test_the_resolver_refuses_a_name_that_now_resolves_to_a_private_address():
    # the middleware checked the name earlier; the DNS answer changed since (rebinding)
    failure = looked_up(resolver_for(), "rebind.example", "10.0.0.5")
    assert failure.check(DNSLookupError) and "rebind.example resolves to 10.0.0.5, a private address" in str(
        failure.value)
    assert looked_up(resolver_for(), "shop.example", "93.184.216.34") == "93.184.216.34"


def test_the_resolver_lets_loopback_through_only_when_private_hosts_are_allowed():
    assert looked_up(resolver_for(VIGIE_ALLOW_PRIVATE_HOSTS=True), "sandbox.test", "127.0.0.1") == "127.0.0.1"
    assert looked_up(resolver_for(), "sandbox.test", "127.0.0.1").check(DNSLookupError)


def test_every_crawl_connects_through_the_checking_resolver():
    from crawler.runner import CrawlOptions, scrapy_settings

    assert scrapy_settings(CrawlOptions())["TWISTED_DNS_RESOLVER"] == "crawler.netguard.PublicOnlyResolver"
