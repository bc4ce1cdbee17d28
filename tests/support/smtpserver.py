"""A real SMTP server on 127.0.0.1 (aiosmtpd), with a trustme certificate for STARTTLS or
implicit TLS, and a login that is only accepted over TLS."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["PASSWORD", "USER", "Received", "SmtpServer"]

USER = "alerts"
PASSWORD = "p@ss word"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message
    tls: bool
    login: str | None


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content),
                server.transport.get_extra_info("ssl_object") is not None,
                session.auth_data if session.authenticated else None,
            )
        )
        return "250 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False, auth_data=USER if ok else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """`mode` is "starttls" (offers STARTTLS), "implicit" (TLS from the first byte) or
    "plain" (no TLS at all: a server a password must never be sent to)."""

    def __init__(self, mode: str = "starttls") -> None:
        self.mode = mode
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.server_tls)
        self.client_tls = ssl.create_default_context()
        self.ca.configure_trust(self.client_tls)
        self.handler = _Handler()
        self.port = _free_port()
        kwargs: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "port": self.port,
            "authenticator": _authenticator,
            # aiosmtpd only counts STARTTLS as TLS; implicit TLS is TLS from the start.
            "auth_require_tls": mode != "implicit",
            "ready_timeout": 5.0,
        }
        if mode == "starttls":
            kwargs["tls_context"] = self.server_tls
        elif mode == "implicit":
            kwargs["ssl_context"] = self.server_tls
        self.controller = Controller(self.handler, **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def url(self, *, credentials: bool = True) -> str:
        scheme = "smtps" if self.mode == "implicit" else "smtp"
        auth = f"{USER}:p%40ss%20word@" if credentials else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
