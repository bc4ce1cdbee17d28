"""p2 alerts by email over SMTP (stdlib smtplib, in a worker thread).

TLS: smtps:// speaks TLS from the first byte; smtp:// upgrades with STARTTLS when the
server offers it, and REQUIRES it when the URL carries credentials, so a password never
crosses in the clear. Delivery is at least once: SMTP has no idempotency key, so a
connection lost after the server accepted the message can send it twice. Each message has
a Message-ID derived from its outbox key, the same on every retry, so mail clients that
fold duplicates by Message-ID show it once; a resolution replies to the firing email
(In-Reply-To), so the two thread together.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC, tzinfo
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING

from bot.core.config import SmtpServer
from bot.monitor.routes import RouteName
from bot.notify.compose import payload_reply
from bot.notify.oneline import one_line
from bot.notify.poster import DeliveryError, Message, Sent
from bot.render.text import render_text

if TYPE_CHECKING:
    from bot.notify.compose import Payload

__all__ = ["EmailPoster", "build_email", "message_id"]


def message_id(key: str) -> str:
    """A Message-ID that is the same for every retry of one outbox row."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@capacity-bot>"


def build_email(
    message: Message, sender: str, recipients: Sequence[str], zone: tzinfo = UTC
) -> EmailMessage:
    """Rendered for email from the payload's typed alerts (never Slack's Block Kit or its
    escaped text). Subject: the title as one line (a header refuses line separators, and a
    plan's names may hold any); body: plain text, and the same as simple HTML."""
    reply = payload_reply(message.payload, zone)
    text = render_text(reply)
    title, _, body = text.partition("\n")
    email = EmailMessage()
    email["Subject"] = one_line(reply.title) or "Capacity alert"
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(message.key)
    if message.reply_to is not None:
        email["In-Reply-To"] = message.reply_to.ref
        email["References"] = message.reply_to.ref
    plain = body.lstrip("=\n") or title
    email.set_content(plain)
    email.add_alternative(_html(reply.title, plain), subtype="html")
    return email


def _html(title: str, plain: str) -> str:
    """The plain text as simple HTML: the title a heading, each paragraph a <p>."""
    paragraphs = [p for p in plain.strip().split("\n\n") if p.strip()]
    body = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return f"<html><body><h3>{html.escape(title)}</h3>{body}</body></html>\n"


def _refused(exc: Exception) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        code = "auth_refused"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        code = "starttls_unavailable"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        code = "recipients_refused"
    elif isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code < 500:
        # 4xx: the server asks us to come back later.
        return DeliveryError(f"smtp {exc.smtp_code}", retryable=True, code=f"smtp_{exc.smtp_code}")
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = f"smtp_{exc.smtp_code}"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        code = "certificate_refused"
    else:
        # A dropped connection or timeout: maybe delivered, maybe not; at least once.
        return DeliveryError(f"smtp {type(exc).__name__}", retryable=True, code="transport")
    return DeliveryError(f"smtp {code}", retryable=False, code=code, needs_person=True)


class EmailPoster:
    route: RouteName = "email"
    can_find = False
    # At least once: after a crash mid-send the message is sent again (same Message-ID).
    resend_safe = True

    def __init__(
        self,
        server: SmtpServer,
        sender: str,
        recipients: Sequence[str],
        *,
        tls: ssl.SSLContext | None = None,
        timeout: float = 15.0,
        zone: tzinfo = UTC,
    ) -> None:
        self.zone = zone  # the team's (CAPACITY_TIMEZONE): times in the text are in it
        self.server = server
        self.sender = sender
        self.recipients = tuple(recipients)
        # A seam for tests (a trustme CA); the system's trust store otherwise.
        self.tls = tls or ssl.create_default_context()
        self.timeout = timeout

    async def send(self, message: Message) -> Sent:
        email = build_email(message, self.sender, self.recipients, self.zone)
        await asyncio.to_thread(self._deliver, email)
        return Sent(", ".join(self.recipients), str(email["Message-ID"]))

    async def find(self, message: Message) -> Sent | None:
        """A mail server cannot be asked what it took (`can_find` is False)."""
        return None

    async def mark_resolved(self, original: Sent, payload: Payload) -> None:
        """A sent email cannot change; the resolution is a reply to it."""

    def _deliver(self, email: EmailMessage) -> None:
        server = self.server
        smtp: smtplib.SMTP
        try:
            if server.implicit_tls:
                smtp = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=self.timeout, context=self.tls
                )
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            with smtp:
                if not server.implicit_tls:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=self.tls)
                        smtp.ehlo()
                    elif server.tls_required:
                        raise smtplib.SMTPNotSupportedError("STARTTLS not offered")
                if server.username is not None:
                    smtp.login(server.username, server.password or "")
                smtp.send_message(email, self.sender, list(self.recipients))
        except (smtplib.SMTPException, OSError) as exc:
            raise _refused(exc) from None
