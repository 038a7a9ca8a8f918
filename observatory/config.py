"""What the web app is given by its caller (the CLI reads settings; the app never reads the environment)."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from datetime import UTC, datetime
from typing import Callable


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ObservatoryConfig:
    # the URL policy of every entry point (vigie.registration.validate): the CLI passes its settings' values
    allow_private_hosts: bool = False  # registration of loopback/private URLs (local use and tests)
    allow_networks: str = ""  # VIGIE_ALLOW_NETWORKS: these non-public networks, and only they
    resolve: Callable = field(default=socket.getaddrinfo)  # DNS, as crawler.netguard calls it
    secure_cookies: bool = False  # set behind HTTPS (an https public URL)
    hsts: bool = False  # Strict-Transport-Security on every response (an https public URL)
    session_hours: int = 12
    lang: str = "fr"
    clock: Callable[[], datetime] = field(default=utc_now)
    # alert channels (issue 28): what a test message from the Account page or the API is sent with
    channel_timeout: float = 10.0  # VIGIE_CHANNEL_TIMEOUT
    smtp_url: str | None = None  # VIGIE_SMTP_URL: email channels' test messages
    outbox_dir: Path | None = None  # where they go without SMTP (.eml files); None: email channels not tested here
    mail_from: str = "Vigie <vigie@localhost>"  # VIGIE_MAIL_FROM
    # evidence (issue 29): where the instance's signing key lives (WACZ downloads need it; None = no WACZ
    # route), and the timestamp authority's CA certificates shipped with the stamps
    data_dir: Path | None = None
    tsa_certs: bytes | None = None
