"""A real SMTP server on loopback that keeps what it receives: the tests' and `vigie demo`'s mailbox.

    with SmtpCatcher() as catcher:
        transport = transport_from_url(catcher.url, outbox_dir=...)
        ...
        catcher.wait_for(2, timeout=5)
        catcher.messages  # list[EmailMessage]

It can require a login, refuse chosen recipients (to exercise permanent and temporary refusals),
ask a function about each recipient (`on_rcpt`: a greylist, a fault injected mid-conversation),
offer STARTTLS or speak implicit TLS with a certificate the caller provides, and be stopped and
started again on the same port (to exercise "server down, then back").
"""
from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from email.message import EmailMessage
from typing import Any, Callable, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session, SMTP


class _FreePortController(Controller):
    """aiosmtpd's Controller, able to bind port 0: it learns the port the system picked."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Handler:
    def __init__(self, catcher: SmtpCatcher) -> None:
        self.catcher = catcher

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if self.catcher.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        reply = self.catcher.refusals.get(address.lower())
        if reply is None and self.catcher.on_rcpt is not None:
            reply = self.catcher.on_rcpt(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.catcher._received(message, list(envelope.rcpt_tos))
        return "250 2.0.0 OK: queued"


class SmtpCatcher:
    """Collects every accepted message; thread-safe. Port 0 (the default) picks a free port."""

    def __init__(
        self,
        *,
        port: int = 0,
        credentials: tuple[str, str] | None = None,
        refusals: dict[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        on_rcpt: Callable[[str], str | None] | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.credentials = credentials
        # recipient address → SMTP reply, e.g. {"nobody@example.com": "550 5.1.1 No such user"}
        self.refusals = {address.lower(): reply for address, reply in (refusals or {}).items()}
        self.tls_context = tls_context
        self.implicit_tls = implicit_tls
        # called (on the server's thread) with each recipient not in `refusals`: a reply to refuse it, or None
        self.on_rcpt = on_rcpt
        self._messages: list[EmailMessage] = []
        self._envelopes: list[list[str]] = []
        self._condition = threading.Condition()
        self._controller: _FreePortController | None = None

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("the catcher has not been started yet")
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._condition:
            return list(self._messages)

    @property
    def envelope_recipients(self) -> list[list[str]]:
        with self._condition:
            return [list(rcpts) for rcpts in self._envelopes]

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> Self:
        if self._controller is not None:
            return self
        kwargs: dict[str, Any] = {"hostname": self.host, "port": self.port, "server_hostname": "vigie-catcher"}
        if self.implicit_tls:
            if self.tls_context is None:
                raise ValueError("implicit TLS needs a tls_context")
            kwargs["ssl_context"] = self.tls_context
        elif self.tls_context is not None:
            kwargs["tls_context"] = self.tls_context
        if self.credentials is not None:
            # AUTH is offered, and demanded at MAIL by the handler; aiosmtpd's own auth_required
            # would warn about plain-text AUTH, which is exactly what a loopback test wants.
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        controller = _FreePortController(_Handler(self), **kwargs)
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {count} message(s), got {len(self._messages)} in {timeout} s")
                self._condition.wait(remaining)
            return list(self._messages)

    def clear(self) -> None:
        with self._condition:
            self._messages.clear()
            self._envelopes.clear()

    def _received(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._condition:
            self._messages.append(message)
            self._envelopes.append(recipients)
            self._condition.notify_all()

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        if self.credentials is None or not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode("utf-8", "replace")
        password = data.password.decode("utf-8", "replace")
        return AuthResult(success=(login, password) == self.credentials, handled=False)
