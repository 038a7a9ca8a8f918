"""The network guard for channels: a channel URL is user input, like a listing URL.

`NetworkPolicy.check(url)` is the listing guard (netpolicy: no private, loopback, link-local or
metadata address unless the operator allows it), used when a channel is added and before each send.
`guarded()` then checks again at the moment of connecting: every connection `requests` opens in the
block (the webhook's, each Apprise plugin's, each redirect's) is made to an address checked then, so a
DNS answer that changed since (rebinding) is refused too. The check is per thread: other threads of the
process connect as they always did.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

from netpolicy import check_public, unsafe_kind


class RefusedTarget(OSError):
    """A connection the network policy does not allow; str() is one line."""


@dataclass(frozen=True)
class NetworkPolicy:
    allow_private: bool = False
    allow_networks: tuple = ()  # ipaddress networks (VIGIE_ALLOW_NETWORKS)

    def check(self, url: str) -> None:
        """Raises ValueError (one line) unless every address of the URL's host may be reached."""
        check_public(url, allow_private=self.allow_private, allow_networks=self.allow_networks)

    def refusal(self, address: str) -> str | None:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address} is not an address"
        kind = unsafe_kind(ip, allow_private=self.allow_private, allow_networks=self.allow_networks)
        return f"{address} is a {kind} address" if kind else None

    def cleartext_allowed(self, url: str) -> bool:
        """Plain http only to hosts that are not on the internet (loopback, a private network the operator
        allows): a signed body readable by every hop on the way is not sent in clear."""
        host = (urlsplit(url).hostname or "").rstrip(".")
        try:
            infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return False
        return all(not ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global for info in infos)


_local = threading.local()
_installed = threading.Lock()


@contextmanager
def guarded(policy: NetworkPolicy) -> Iterator[None]:
    """Within the block, connections made by `requests` (urllib3) in this thread go only where `policy` allows."""
    _install()
    previous = getattr(_local, "policy", None)
    _local.policy = policy
    try:
        yield
    finally:
        _local.policy = previous


def _install() -> None:
    """Wraps urllib3's connect once per process; the wrapper does nothing outside a `guarded` block."""
    import urllib3.util.connection as connection

    with _installed:
        if getattr(connection.create_connection, "vigie_guard", False):
            return
        original = connection.create_connection

        def create_connection(address, *args, **kwargs):
            policy = getattr(_local, "policy", None)
            if policy is None:
                return original(address, *args, **kwargs)
            host, port = address
            checked = _checked_address(policy, host, port)
            return original((checked, port), *args, **kwargs)

        create_connection.vigie_guard = True
        connection.create_connection = create_connection


def _checked_address(policy: NetworkPolicy, host: str, port: int) -> str:
    """The first address of `host` after checking them all: the connection goes to what was checked."""
    name = host.strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedTarget(f"cannot resolve {name} ({exc})") from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        refusal = policy.refusal(address)
        if refusal:
            raise RefusedTarget(f"refused: {name} resolves to {refusal}")
    if not addresses:
        raise RefusedTarget(f"cannot resolve {name} (no address)")
    return addresses[0]
