"""Channel URLs: what `vigie channel add` accepts, and how a channel is shown without its secrets.

Three kinds, told apart by the URL's scheme:
- `mailto:ADDR` — an email address, sent through the email outbox like the listings' recipients;
- `webhook+https://HOST/PATH` — a signed webhook (Standard Webhooks headers, a `whsec_` secret made here);
  `webhook+http://` only where the network policy allows the host (loopback with VIGIE_ALLOW_PRIVATE_HOSTS=1);
- any other scheme Apprise knows (`tgram://`, `slack://`, `discord://`, `ntfy://`, `json://`...), sent over
  HTTP(S): Apprise's email, desktop, syslog, MQTT... plugins are refused (they open sockets the guard does not see).
The target's host must pass the network guard listing URLs pass (alerts.channel_guard).
"""
from __future__ import annotations

import base64
import secrets
import sys
import warnings
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from alerts.channel_guard import NetworkPolicy
from said import N_, Refusal, text_of

URL_MAX = 2000
WEBHOOK_PREFIX = "webhook+"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


class ChannelError(Refusal, ValueError):
    """One line saying what is wrong with a channel URL; nothing was stored."""


@dataclass(frozen=True)
class ParsedChannel:
    kind: str  # email, apprise, webhook
    target: str  # the address, the Apprise URL, or the webhook's http(s) URL
    shown: str  # secrets masked


def parse_channel(raw: str, *, policy: NetworkPolicy) -> ParsedChannel:
    """Validates a channel URL, its host against `policy` (resolved now); ChannelError says what is wrong."""
    url = (raw or "").strip()
    if not url:
        raise ChannelError(N_("the channel URL is empty"))
    if len(url) > URL_MAX:
        raise ChannelError(N_("the channel URL is longer than %(most)s characters"), most=URL_MAX)
    if not url.isprintable() or any(c.isspace() for c in url):
        raise ChannelError(N_("the channel URL contains spaces or invisible characters"))
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "mailto":
        return _email(url)
    if scheme.startswith(WEBHOOK_PREFIX):
        return _webhook(url, policy)
    if not scheme:
        raise ChannelError(N_("the channel URL has no scheme: use mailto:ADDR, webhook+https://HOST/PATH or an "
                              "Apprise URL (tgram://, slack://, discord://, ntfy://, json://...)"))
    return _apprise(url, policy)


def _email(url: str) -> ParsedChannel:
    address = url.split(":", 1)[1].split("?", 1)[0].removeprefix("//")
    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ChannelError(N_("invalid email address in %(url)s: %(why)s"), url=repr(url[:200]), why=exc) from None
    return ParsedChannel("email", address, f"mailto:{address}")


def _webhook(url: str, policy: NetworkPolicy) -> ParsedChannel:
    target = url[len(WEBHOOK_PREFIX):]
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 — raises on a bad port
    except ValueError as exc:
        raise ChannelError(N_("unparseable webhook URL (%(why)s)"), why=exc) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ChannelError(N_("a webhook URL is webhook+https://HOST/PATH (or webhook+http:// where allowed)"))
    if not parts.hostname:
        raise ChannelError(N_("the webhook URL has no host"))
    if parts.username or parts.password:
        raise ChannelError(N_("the webhook URL must not carry a user name or password: the signature authenticates"))
    _guard(target, policy.check)
    if parts.scheme.lower() == "http" and not policy.cleartext_allowed(target):
        raise ChannelError(N_("webhook+http:// is only for hosts off the internet (loopback, an allowed private "
                              "network): use webhook+https://"))
    return ParsedChannel("webhook", target, f"{WEBHOOK_PREFIX}{parts.scheme.lower()}://{parts.netloc}{parts.path}")


def _apprise(url: str, policy: NetworkPolicy) -> ParsedChannel:
    plugin = apprise_plugin(url)
    if plugin is None:
        raise ChannelError(N_("not a channel URL Vigie knows: %(scheme)s:// is neither mailto:, webhook+https:// nor "
                              "an Apprise service"), scheme=url.split(":", 1)[0])
    if not sends_over_http(plugin):
        raise ChannelError(N_("%(scheme)s:// channels are not supported: use mailto:ADDR for email, or an Apprise "
                              "service reached over HTTP(S)"), scheme=url.split(":", 1)[0])
    for endpoint in apprise_endpoints(plugin):
        _guard(endpoint, policy.check)
    return ParsedChannel("apprise", url, plugin.url(privacy=True).split("?", 1)[0])  # the query: defaults


def _guard(url: str, check_url: Callable[[str], None]) -> None:
    try:
        check_url(url)
    except ValueError as exc:
        text = text_of(exc)  # the guard's refusal (netpolicy), translated on a page; one line in any case
        raise ChannelError(text if text.params else " ".join(str(exc).split())) from None


def apprise_module():
    """Apprise, imported on first use (it loads ~100 plugins); one of them imports the deprecated `imghdr`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise

        apprise.Apprise.instantiate("json://localhost")  # loads the plugins under the filter
    return apprise


def apprise_plugin(url: str):
    apprise = apprise_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return apprise.Apprise.instantiate(url, suppress_exceptions=True)
        except Exception:  # a plugin's own parser failing on odd input is a refusal, not a crash
            return None


def sends_over_http(plugin) -> bool:
    """Plugins built on `requests` talk HTTP(S), through the connection guard; the others open sockets of
    their own (SMTP, MQTT, syslog, XMPP...) or act on this machine (desktop notifications)."""
    return hasattr(sys.modules.get(type(plugin).__module__), "requests")


def apprise_endpoints(plugin) -> list[str]:
    """The http(s) URL of the host the plugin names, when it names one (json://HOST, ntfy://HOST/topic,
    gotify://HOST...); a cloud service's URL holds tokens where the host goes (tgram://TOKEN/CHAT), and its
    fixed endpoint is public. Either way the connection guard checks every address at connect time."""
    host = getattr(plugin, "host", None)
    if not host or "." not in host and host != "localhost" and ":" not in host:
        return []
    fixed = any(isinstance(getattr(plugin, name, None), str) and getattr(plugin, name).startswith("https://")
                for name in ("notify_url", "cloud_notify_url"))
    if fixed and getattr(plugin, "mode", "private") == "cloud":
        return []
    port = getattr(plugin, "port", None)
    netloc = f"[{host}]" if ":" in host else host
    return [f"http://{netloc}{f':{port}' if port else ''}/"]


def new_secret() -> str:
    """A webhook signing key as Standard Webhooks writes them: `whsec_` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")
