"""Settings, read from the environment once, at the edge (the CLI and the app factory)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Mapping

from store.db import sqlite_url


class SettingsError(ValueError):
    """A setting has a value Vigie cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    smtp_url: str | None = None
    mail_from: str = "Vigie <vigie@localhost>"
    confirmations: int = 2
    allow_private_hosts: bool = False
    browser_path: str | None = None
    lang: str = "fr"
    price_threshold: Decimal = Decimal("0.10")
    user_agent: str = "Mozilla/5.0 (compatible; Vigie/0.1; +https://github.com/vigie-pme/vigie)"
    timeout: float = 30.0
    concurrency: int = 32

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name}={raw!r} must be 1 or 0")


def load(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("VIGIE_DATA_DIR") or Path.home() / ".local" / "share" / "vigie").expanduser()
    lang = (env.get("VIGIE_LANG") or "fr").lower()
    if lang not in ("fr", "en"):
        raise SettingsError(f"VIGIE_LANG={lang!r} must be fr or en")
    threshold_raw = env.get("VIGIE_PRICE_THRESHOLD") or "0.10"
    try:
        threshold = Decimal(threshold_raw)
    except InvalidOperation:
        raise SettingsError(f"VIGIE_PRICE_THRESHOLD={threshold_raw!r} is not a number like 0.10") from None
    return Settings(
        data_dir=data_dir,
        database_url=env.get("VIGIE_DATABASE_URL") or sqlite_url(data_dir),
        smtp_url=env.get("VIGIE_SMTP_URL") or None,
        mail_from=env.get("VIGIE_MAIL_FROM") or Settings.mail_from,
        confirmations=_int(env, "VIGIE_CONFIRMATIONS", 2),
        allow_private_hosts=_bool(env, "VIGIE_ALLOW_PRIVATE_HOSTS"),
        browser_path=env.get("VIGIE_BROWSER_PATH") or None,
        lang=lang,
        price_threshold=threshold,
        timeout=float(_int(env, "VIGIE_TIMEOUT", 30)),
        concurrency=_int(env, "VIGIE_CONCURRENCY", 32),
    )
