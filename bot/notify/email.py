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
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING

from bot.core.config import SmtpServer
from bot.notify.oneline import one_line
from bot.notify.poster import DeliveryError, Message, Sent

if TYPE_CHECKING:
    from bot.notify.compose import Payload

__all__ = ["EmailPoster", "build_email", "message_id"]


def message_id(key: str) -> str:
    """A Message-ID that is the same for every retry of one outbox row."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@capacity-bot>"


def build_email(message: Message, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """Subject: the message's title as one line (a header refuses line separators, and a
    plan's names may hold any); body: its plain text (Slack's escaping undone)."""
    text = html.unescape(message.payload.text)
    title, _, body = text.partition("\n")
    email = EmailMessage()
    email["Subject"] = one_line(title) or "Capacity alert"
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(message.key)
    if message.reply_to is not None:
        email["In-Reply-To"] = message.reply_to.ref
        email["References"] = message.reply_to.ref
    email.set_content(body.lstrip("=\n") or title)
    return email


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
    route = "email"
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
    ) -> None:
        self.server = server
        self.sender = sender
        self.recipients = tuple(recipients)
        # A seam for tests (a trustme CA); the system's trust store otherwise.
        self.tls = tls or ssl.create_default_context()
        self.timeout = timeout

    async def send(self, message: Message) -> Sent:
        email = build_email(message, self.sender, self.recipients)
        await asyncio.to_thread(self._deliver, email)
        return Sent(", ".join(self.recipients), str(email["Message-ID"]))

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
