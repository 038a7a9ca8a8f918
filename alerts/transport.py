"""Where alert emails go: an SMTP server, or .eml files in the outbox directory.

Both transports share one small protocol: `send(message) -> location`, `describe()`, and use as a
context manager for a batch (SMTP: one connection per batch, reused within it). Failures come out
as two exceptions the sender understands: PermanentFailure (this message will never be accepted)
and TransientFailure (try later; `batch_broken` when the server itself is unreachable).
"""
from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 30.0
# One send is at most this many exchanges with the server, each bounded by the timeout (connect,
# EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA, the message, its reply; QUIT is not waited for):
# a claim lasting that long outlives any send, and a sender killed mid-send is retried that soon.
SEND_EXCHANGES = 10
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


class TransportError(Exception):
    """A message was not delivered; str() is one line fit for AlertDelivery.last_error."""


class PermanentFailure(TransportError):
    """The server refused this message for good (5xx for the recipient or the content)."""


class TransientFailure(TransportError):
    def __init__(self, message: str, *, batch_broken: bool = False) -> None:
        super().__init__(message)
        # True when the server itself failed (unreachable, auth, sender refused): the rest of the
        # batch would fail the same way, so the sender stops instead of burning their attempts.
        self.batch_broken = batch_broken


class Transport(Protocol):
    name: str
    lease: timedelta  # the longest one send can take: how long the sender's claim on a row lasts

    def send(self, message: EmailMessage) -> str: ...

    def describe(self) -> str: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def transport_from_url(
    smtp_url: str | None, *, outbox_dir: Path, ssl_context: ssl.SSLContext | None = None
) -> SmtpTransport | EmlTransport:
    """`smtp://user:pass@host:port[?starttls=true&timeout=10]`, `smtps://...`; None → .eml files.

    Raises ValueError with a one-line message naming what is wrong (never the password).
    """
    if smtp_url is None or not smtp_url.strip():
        return EmlTransport(outbox_dir)
    parts = urlsplit(smtp_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP URL must start with smtp:// or smtps://, not {scheme or 'nothing'}://")
    if not parts.hostname:
        raise ValueError("SMTP URL has no host name")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("SMTP URL has an invalid port") from None
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ValueError(f"SMTP URL has unknown option(s): {', '.join(sorted(unknown))}")
    starttls = _flag(query.get("starttls", ""), "starttls")
    if scheme == "smtps" and starttls:
        raise ValueError("SMTP URL: smtps:// is already TLS, starttls=true does not apply")
    try:
        timeout = float(query.get("timeout") or DEFAULT_TIMEOUT)
    except ValueError:
        raise ValueError(f"SMTP URL: timeout={query['timeout']!r} is not a number of seconds") from None
    if timeout <= 0:
        raise ValueError("SMTP URL: timeout must be positive")
    return SmtpTransport(
        host=parts.hostname,
        port=port or (465 if scheme == "smtps" else 587 if starttls else 25),
        implicit_tls=scheme == "smtps",
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
        ssl_context=ssl_context,
    )


def _flag(raw: str, name: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"SMTP URL: {name}={raw!r} must be true or false")


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        implicit_tls: bool = False,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.implicit_tls = implicit_tls
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._connection: smtplib.SMTP | None = None
        self._batch = False

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=SEND_EXCHANGES * self.timeout)

    def describe(self) -> str:
        security = " (TLS)" if self.implicit_tls else " (STARTTLS)" if self.starttls else ""
        user = f" as {self.username}" if self.username else ""
        return f"SMTP {self.host}:{self.port}{security}{user}"

    def __enter__(self) -> Self:
        self._batch = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._batch = False
        self._close(polite=True)

    def send(self, message: EmailMessage) -> str:
        try:
            connection = self._connected()
            refused = connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            self._reset()
            raise _refusal(error.recipients) from error
        except smtplib.SMTPDataError as error:
            self._reset()
            text = f"SMTP {error.smtp_code} on message data: {_decode(error.smtp_error)}"
            raise (PermanentFailure(text) if 500 <= error.smtp_code < 600 else TransientFailure(text)) from error
        except smtplib.SMTPAuthenticationError as error:
            self._close(polite=False)
            raise TransientFailure(
                f"SMTP authentication refused by {self.host}: {error.smtp_code} {_decode(error.smtp_error)}",
                batch_broken=True,
            ) from error
        except smtplib.SMTPSenderRefused as error:
            self._close(polite=False)
            raise TransientFailure(
                f"SMTP sender {error.sender} refused: {error.smtp_code} {_decode(error.smtp_error)}", batch_broken=True
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            # Connection refused, timeout, TLS failure, server hung up: nothing was accepted.
            self._close(polite=False)
            raise TransientFailure(
                f"SMTP {self.host}:{self.port} unreachable: {_one_line(error) or type(error).__name__}",
                batch_broken=True,
            ) from error
        if refused:
            # Only possible with several recipients, one of which was accepted; we send one each.
            self._reset()
            raise _refusal(refused)
        if not self._batch:
            self._close(polite=True)
        return f"smtp://{self.host}:{self.port}"

    def _connected(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        context = self.ssl_context or ssl.create_default_context()
        if self.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.starttls:
                connection.starttls(context=context)
                connection.ehlo()
            if self.username is not None:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _reset(self) -> None:
        # After a refusal the session is still good; RSET clears the half-built transaction.
        if self._connection is None:
            return
        try:
            self._connection.rset()
        except (smtplib.SMTPException, OSError):
            self._close(polite=False)
        if not self._batch:
            self._close(polite=True)

    def _close(self, *, polite: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if polite:
                connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            connection.close()


def _refusal(recipients: dict[str, tuple[int, bytes | str]]) -> TransportError:
    codes = [code for code, _ in recipients.values()]
    text = "; ".join(f"{address} refused: {code} {_decode(reply)}" for address, (code, reply) in recipients.items())
    if codes and all(500 <= code < 600 for code in codes):
        return PermanentFailure(text)
    return TransientFailure(text)


def _decode(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


class EmlTransport:
    """Each message as `<outbox_dir>/<timestamp>-event-<id>-<hash>.eml`, one file per Message-ID.

    The name's tail comes from the Message-ID, so a retry of the same message replaces its file
    instead of adding a second one; the write is atomic (temporary file, then rename).
    """

    name = "eml"
    lease = timedelta(minutes=1)  # a local file write; a crash mid-write leaves no file behind

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = Path(outbox_dir)

    def describe(self) -> str:
        return f"files in {self.outbox_dir}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, message: EmailMessage) -> str:
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            target = self.path_for(message)
            data = message.as_bytes()
            handle, temporary = tempfile.mkstemp(dir=self.outbox_dir, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise TransientFailure(f"cannot write to {self.outbox_dir}: {_one_line(error)}", batch_broken=True) from error
        return str(target)

    def path_for(self, message: EmailMessage) -> Path:
        tail = f"{message_slug(message.get('Message-ID', ''))}.eml"
        existing = sorted(self.outbox_dir.glob(f"*-{tail}"))
        if existing:
            return existing[0]
        return self.outbox_dir / f"{message_stamp(message)}-{tail}"


def message_slug(message_id: str) -> str:
    """`<event-12.0123abcd…@vigie.local>` → `event-12-0123abcd…`; any other id → a hash of it."""
    match = re.fullmatch(r"<?(event-\d+)\.([0-9a-f]{16})@vigie\.local>?", message_id.strip())
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    return "message-" + hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:16]


def message_stamp(message: EmailMessage) -> str:
    try:
        sent = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return "00000000T000000Z"
    if sent.tzinfo is not None:
        sent = sent.astimezone(UTC)
    return sent.strftime("%Y%m%dT%H%M%SZ")
