"""Settings, read from the environment once, at the edge (the CLI and the app factory)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from netpolicy import parse_networks
from store.db import sqlite_url
from vigie.durations import parse_duration


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
    allow_networks: str = ""  # VIGIE_ALLOW_NETWORKS: just these networks, e.g. a test network (crawler.netguard)
    browser_path: str | None = None
    lang: str = "fr"
    price_threshold: Decimal = Decimal("0.10")
    user_agent: str = "Mozilla/5.0 (compatible; Vigie/0.1; +https://github.com/vigie-pme/vigie)"
    timeout: float = 30.0
    concurrency: int = 32
    shop_max_pages: int = 50  # VIGIE_SHOP_MAX_PAGES: a storefront walk reads at most this many pages (issue 26)
    search_rate: float = 0.2  # VIGIE_SEARCH_RATE: search pages per second and marketplace, apart from listings (issue 27)
    search_budget: int = 2000  # VIGIE_SEARCH_BUDGET: search pages per marketplace and UTC day; 0 = no budget
    # the service (`vigie run`, issue 5)
    recheck_delay: timedelta = timedelta(minutes=10)  # VIGIE_RECHECK_DELAY: re-check a suspicious sighting
    tick: timedelta = timedelta(seconds=5)  # VIGIE_TICK: how often due listings are dispatched (short for tests)
    alert_every: timedelta = timedelta(seconds=30)  # VIGIE_ALERT_EVERY: outbox delivery schedule
    jitter: float = 0.1  # VIGIE_JITTER: ± fraction of each interval, so checks spread evenly
    catchup_window: timedelta = timedelta(minutes=15)  # VIGIE_CATCHUP_WINDOW: overdue checks spread over this
    obey_robots: bool = True  # VIGIE_OBEY_ROBOTS
    operator_email: str | None = None  # VIGIE_OPERATOR_EMAIL: told when a marketplace blocks Vigie
    blocked_alert_after: timedelta = timedelta(hours=1)  # VIGIE_BLOCKED_ALERT_AFTER
    digest_hour: int = 7  # VIGIE_DIGEST_HOUR: UTC hour of the daily digest
    # cluster mode (issue 13): every `vigie run` sharing this queue and a PostgreSQL store is one node
    queue_url: str | None = None  # VIGIE_QUEUE_URL, e.g. redis://127.0.0.1:6379/0
    lease: timedelta = timedelta(minutes=10)  # VIGIE_LEASE: a dispatched check not recorded by then is due again
    node_timeout: timedelta = timedelta(seconds=60)  # VIGIE_NODE_TIMEOUT: a silent node's checks go to others
    rate_limits: tuple[tuple[str, float], ...] = ()  # VIGIE_RATE_LIMITS: "amazon=0.5,generic=50" (requests/s)
    # alert channels (issue 28)
    public_url: str | None = None  # VIGIE_PUBLIC_URL: the observatory's address, linked from chats and webhooks
    channel_timeout: float = 10.0  # VIGIE_CHANNEL_TIMEOUT: seconds per connection and between bytes read
    channel_failing_after: timedelta = timedelta(days=1)  # VIGIE_CHANNEL_FAILING_AFTER: then the account is told
    # RFC 3161 timestamps on chain heads (issue 29); no URL = no timestamps
    tsa_url: str | None = None  # VIGIE_TSA_URL, e.g. https://freetsa.org/tsr
    tsa_certs: Path | None = None  # VIGIE_TSA_CERTS: the authority's CA certificate(s), PEM, shipped in bundles
    tsa_every: timedelta = timedelta(hours=1)  # VIGIE_TSA_EVERY: how often the service stamps the heads that moved

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}={raw!r} must be at most {maximum}")
    return value


def _duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = parse_duration(raw)  # at most vigie.limits.DURATION_MAX: `now + value` must stay a date
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None
    if value <= timedelta(0):
        raise SettingsError(f"{name}={raw!r} must be longer than 0s")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("0", "false", "no", "off"):
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
        database_url=_database_url(env, data_dir),
        smtp_url=env.get("VIGIE_SMTP_URL") or None,
        mail_from=env.get("VIGIE_MAIL_FROM") or Settings.mail_from,
        confirmations=_int(env, "VIGIE_CONFIRMATIONS", 2),
        allow_private_hosts=_bool(env, "VIGIE_ALLOW_PRIVATE_HOSTS"),
        allow_networks=_networks(env, "VIGIE_ALLOW_NETWORKS"),
        browser_path=env.get("VIGIE_BROWSER_PATH") or None,
        lang=lang,
        price_threshold=threshold,
        timeout=float(_int(env, "VIGIE_TIMEOUT", 30)),
        concurrency=_int(env, "VIGIE_CONCURRENCY", 32),
        shop_max_pages=_int(env, "VIGIE_SHOP_MAX_PAGES", Settings.shop_max_pages, maximum=1000),
        search_rate=_rate(env, "VIGIE_SEARCH_RATE", Settings.search_rate),
        search_budget=_budget(env, "VIGIE_SEARCH_BUDGET", Settings.search_budget),
        recheck_delay=_duration(env, "VIGIE_RECHECK_DELAY", Settings.recheck_delay),
        tick=_duration(env, "VIGIE_TICK", Settings.tick),
        alert_every=_duration(env, "VIGIE_ALERT_EVERY", Settings.alert_every),
        jitter=_fraction(env, "VIGIE_JITTER", Settings.jitter),
        catchup_window=_duration(env, "VIGIE_CATCHUP_WINDOW", Settings.catchup_window),
        obey_robots=_bool(env, "VIGIE_OBEY_ROBOTS", default=True),
        operator_email=(env.get("VIGIE_OPERATOR_EMAIL") or "").strip() or None,
        blocked_alert_after=_duration(env, "VIGIE_BLOCKED_ALERT_AFTER", Settings.blocked_alert_after),
        digest_hour=_int(env, "VIGIE_DIGEST_HOUR", 7, minimum=0, maximum=23),
        queue_url=_queue_url(env),
        lease=_duration(env, "VIGIE_LEASE", Settings.lease),
        node_timeout=_duration(env, "VIGIE_NODE_TIMEOUT", Settings.node_timeout),
        rate_limits=_rates(env, "VIGIE_RATE_LIMITS"),
        public_url=_public_url(env, "VIGIE_PUBLIC_URL"),
        channel_timeout=_seconds(env, "VIGIE_CHANNEL_TIMEOUT", Settings.channel_timeout, maximum=CHANNEL_TIMEOUT_MAX),
        channel_failing_after=_duration(env, "VIGIE_CHANNEL_FAILING_AFTER", Settings.channel_failing_after),
        tsa_url=_tsa_url(env),
        tsa_certs=_tsa_certs(env),
        tsa_every=_duration(env, "VIGIE_TSA_EVERY", Settings.tsa_every),
    )


CHANNEL_TIMEOUT_MAX = 300.0


def _public_url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name}={raw[:200]!r} must look like https://vigie.example.fr")
    return raw.rstrip("/")


def _seconds(env: Mapping[str, str], name: str, default: float, *, maximum: float) -> float:
    """A number of seconds (`2.5`) or a duration (`10s`, `1m`), above 0 and at most `maximum`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = parse_duration(raw).total_seconds()
        except ValueError:
            raise SettingsError(f"{name}={raw[:200]!r} is not a number of seconds") from None
    if not 0 < seconds <= maximum:
        raise SettingsError(f"{name}={raw[:200]!r} must be above 0 and at most {maximum:g} seconds")
    return seconds


def _rate(env: Mapping[str, str], name: str, default: float) -> float:
    """Requests per second, above 0 and at most 100."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0 < rate <= 100:
        raise SettingsError(f"{name}={raw[:200]!r} must be requests per second, above 0 and at most 100, e.g. 0.2")
    return rate


def _budget(env: Mapping[str, str], name: str, default: int) -> int:
    """Pages a day: a whole number from 0 (no budget) to 10,000,000."""
    raw = (env.get(name) or "").strip().replace("_", "")
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) > 10_000_000:
        raise SettingsError(f"{name}={raw[:200]!r} must be pages a day, a whole number from 0 (no budget) "
                            "to 10000000, e.g. 2000")
    return int(raw)


DATABASE_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg",
                    "postgresql+psycopg": "postgresql+psycopg", "sqlite": "sqlite", "sqlite+pysqlite": "sqlite+pysqlite"}


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    """SQLite or PostgreSQL, with the psycopg 3 driver whichever way PostgreSQL is spelled ("postgres://", as
    Heroku, libpq and most tools write it, "postgresql://"); anything else is refused here, in one line."""
    raw = (env.get("VIGIE_DATABASE_URL") or "").strip()
    if not raw:
        return sqlite_url(data_dir)
    shown = _without_password(raw)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise SettingsError(f"VIGIE_DATABASE_URL={shown!r} is not a database URL; use "
                            "postgresql://USER:PASSWORD@HOST:5432/DBNAME or sqlite:///PATH") from None
    if url.port is not None and not 0 < url.port < 65536:
        raise SettingsError(f"VIGIE_DATABASE_URL={shown!r}: port {url.port} is not a TCP port (1 to 65535)")
    driver = DATABASE_SCHEMES.get(url.drivername)
    if driver is None:
        raise SettingsError(f"VIGIE_DATABASE_URL: {url.drivername}:// is not supported; use postgresql:// "
                            "(or postgres://) or sqlite:///PATH")
    if not driver.startswith("sqlite") and not url.database:
        raise SettingsError(f"VIGIE_DATABASE_URL={shown!r} names no database (…/DBNAME at the end)")
    return driver + raw[raw.index(":"):]


def _without_password(raw: str) -> str:
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", raw)


def _tsa_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("VIGIE_TSA_URL") or "").strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(f"VIGIE_TSA_URL={raw!r} must be an http:// or https:// URL")
    return raw or None


def _tsa_certs(env: Mapping[str, str]) -> Path | None:
    raw = (env.get("VIGIE_TSA_CERTS") or "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"VIGIE_TSA_CERTS={raw!r}: no such file")
    return path


def _queue_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("VIGIE_QUEUE_URL") or "").strip()
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"VIGIE_QUEUE_URL={raw!r} must be a redis:// (or rediss://, unix://) URL")
    return raw or None


def _rates(env: Mapping[str, str], name: str) -> tuple[tuple[str, float], ...]:
    rates = []
    for part in filter(None, (p.strip() for p in (env.get(name) or "").split(","))):
        marketplace, _, value = part.partition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = -1.0
        if not marketplace.strip() or not rate > 0:
            raise SettingsError(f"{name}: {part!r} must be marketplace=requests-per-second, e.g. amazon=0.5")
        rates.append((marketplace.strip(), rate))
    return tuple(rates)


def _networks(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name) or ""
    try:
        networks = parse_networks(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None
    return ",".join(str(network) for network in networks)


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number like 0.1") from None
    if not 0 <= value < 1:
        raise SettingsError(f"{name}={raw!r} must be from 0 to below 1")
    return value
