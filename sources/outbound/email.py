"""Deliver a message by e-mail over SMTP, upgrading to TLS (STARTTLS) when offered.

smtplib runs in a worker thread (asyncio.to_thread) rather than adding aiosmtplib: one
message per hand-off or alert is a small load, and the standard library is well kept.
A password is never sent over a connection that did not upgrade to TLS, except to a
server on this machine.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from sources.outbound.errors import DeliveryError


@dataclass(slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    sender: str = "veille@localhost"
    username: str = ""
    password: str = ""  # from sources.secrets; never logged
    timeout: float = 20.0
    verify_tls: bool = True


def _send(settings: SmtpSettings, to: str, subject: str, body: str, message_id: str) -> None:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    if message_id:  # stable across retries: mail systems drop a second copy
        msg["Message-ID"] = message_id
    msg.set_content(body)
    context = ssl.create_default_context()
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        smtp.ehlo()
        secure = False
        if smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
            secure = True
        if settings.username:
            local = settings.host in ("localhost", "127.0.0.1", "::1")
            if not secure and not local:
                raise DeliveryError(
                    f"e-mail: {settings.host} does not offer STARTTLS; refusing to send the "
                    "password in clear",
                    retryable=False,
                )
            try:
                smtp.login(settings.username, settings.password)
            except smtplib.SMTPServerDisconnected:  # some servers hang up on a bad login
                raise DeliveryError(
                    "e-mail: the SMTP server refused the login (it closed the connection)",
                    retryable=False,
                ) from None
        smtp.send_message(msg)


async def deliver_email(
    settings: SmtpSettings, to: str, subject: str, body: str, *, message_id: str = ""
) -> None:
    """Send one message; raises DeliveryError in words (retryable for network trouble)."""
    try:
        await asyncio.to_thread(_send, settings, to, subject, body, message_id)
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError("e-mail: the SMTP server refused the login", retryable=False) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(
            f"e-mail: the server refused the address {to}", retryable=False
        ) from None
    except smtplib.SMTPResponseException as exc:
        retry = 400 <= exc.smtp_code < 500
        raise DeliveryError(
            f"e-mail: the server answered {exc.smtp_code}", retryable=retry
        ) from None
    except TimeoutError:
        raise DeliveryError("e-mail: no answer in time (timeout)", retryable=True) from None
    except ConnectionRefusedError:
        raise DeliveryError(
            f"e-mail: connection refused by {settings.host}:{settings.port}", retryable=True
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"e-mail: {type(exc).__name__}", retryable=True) from None
