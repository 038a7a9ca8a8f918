"""Sending one message to one channel: a signed POST for webhooks, Apprise for chats.

Every attempt re-checks the target against the network policy, and connects only to addresses checked
at that moment (alerts.channel_guard); each request is bounded by `timeout` to connect and between bytes
read, redirects are not followed for webhooks (a 3xx is a failure, not a way into the local network),
and at most MAX_RESPONSE bytes of an answer are read. Error texts name the host, never a secret.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from alerts.channel_guard import NetworkPolicy, RefusedTarget, guarded
from alerts.channel_messages import ChatMessage, signed_headers
from alerts.channels import apprise_endpoints, apprise_module, apprise_plugin

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE = 64 * 1024
# one attempt is a few bounded exchanges (connect, send, answer; Apprise may follow redirects): a claim
# lasting this many timeouts outlives any send, and a sender killed mid-send is retried that soon
LEASE_TIMEOUTS = 6


class SendFailed(Exception):
    """The channel did not take the message (down, refused, timed out, answered non-2xx); one line."""


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    kind: str  # webhook, apprise
    target: str
    shown: str
    secret: str | None
    webhook_id: str
    body: bytes | None = None  # webhooks: the JSON, signed at each attempt with that attempt's timestamp
    chat: ChatMessage | None = None


@dataclass(frozen=True)
class ChannelTransport:
    timeout: float = DEFAULT_TIMEOUT

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=LEASE_TIMEOUTS * self.timeout)

    def send(self, outgoing: Outgoing, *, policy: NetworkPolicy, now: datetime) -> None:
        if outgoing.kind == "webhook":
            assert outgoing.body is not None and outgoing.secret is not None
            self.post_webhook(outgoing.target, outgoing.body,
                              signed_headers(outgoing.secret, outgoing.webhook_id, outgoing.body, now=now),
                              policy=policy)
        else:
            assert outgoing.chat is not None
            self.notify(outgoing.target, outgoing.chat, policy=policy)

    def post_webhook(self, url: str, body: bytes, headers: dict[str, str], *, policy: NetworkPolicy) -> None:
        import requests

        where = host_of(url)
        with guarded(policy):
            try:
                policy.check(url)
                response = requests.post(url, data=body, headers=headers, timeout=(self.timeout, self.timeout),
                                         allow_redirects=False, stream=True)
            except ValueError as error:  # the guard's refusal (UnsafeURL)
                raise SendFailed(" ".join(str(error).split())) from None
            except requests.Timeout:
                raise SendFailed(f"{where}: no answer within {self.timeout:g} s") from None
            except requests.RequestException as error:
                raise SendFailed(f"{where}: {connection_problem(error)}") from None
            try:
                response.raw.read(MAX_RESPONSE, decode_content=False)  # the rest is not waited for
            except Exception:
                pass
            finally:
                response.close()
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"{where} answered HTTP {response.status_code}")

    def notify(self, url: str, chat: ChatMessage, *, policy: NetworkPolicy) -> None:
        apprise = apprise_module()
        plugin = apprise_plugin(url)
        if plugin is None:
            raise SendFailed("Apprise no longer accepts this channel URL")
        plugin.socket_connect_timeout = self.timeout
        plugin.socket_read_timeout = self.timeout
        with guarded(policy):
            try:
                for endpoint in apprise_endpoints(plugin):
                    policy.check(endpoint)
            except ValueError as error:
                raise SendFailed(" ".join(str(error).split())) from None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                accepted = plugin.notify(body=chat.body, title=chat.title,
                                         body_format=apprise.NotifyFormat.TEXT)
        if not accepted:
            raise SendFailed(f"{plugin.service_name or 'the service'} did not accept the message "
                             f"({plugin.url(privacy=True).split('?', 1)[0]})")


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or "the webhook"


def connection_problem(error: BaseException) -> str:
    """The innermost cause, without the URL requests puts in its messages (a path may hold a token)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, RefusedTarget):
            return str(cause)
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    return f"cannot connect ({type(error).__name__})"
