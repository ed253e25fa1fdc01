"""E-mail goes over STARTTLS when the server offers it, logs in, and a refused login is
told in words without the password."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from conftest import MailBox, free_port

from sources.outbound.email import SmtpSettings, deliver_email
from sources.outbound.errors import DeliveryError

PASSWORD = "smtp-pass-9z8y7x6w"


@pytest.fixture
def tls_smtp(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = MailBox()
    box.tls_sessions = 0

    def authenticator(server, session, envelope, mechanism, auth_data):
        box.tls_sessions += bool(session.ssl)
        return AuthResult(
            success=auth_data.login == b"veille" and auth_data.password == PASSWORD.encode()
        )

    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN"],  # aiosmtpd waits on smtplib's LOGIN initial response
    )
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


async def test_starttls_then_login_then_delivered(tls_smtp):
    settings = SmtpSettings(
        host="127.0.0.1",
        port=tls_smtp.port,
        username="veille",
        password=PASSWORD,
        verify_tls=False,
        timeout=5,
    )
    await deliver_email(
        settings, "sav@example.com", "hand-off", "Bonjour", message_id="<k1@veille>"
    )
    (msg,) = tls_smtp.messages
    assert tls_smtp.tls_sessions == 1
    assert b"Message-ID: <k1@veille>" in msg.original_content


async def test_refused_login_in_words_without_the_password(tls_smtp):
    settings = SmtpSettings(
        host="127.0.0.1",
        port=tls_smtp.port,
        username="veille",
        password=PASSWORD + "-wrong",
        verify_tls=False,
        timeout=1,
    )
    with pytest.raises(DeliveryError) as err:
        await deliver_email(settings, "sav@example.com", "s", "b")
    assert "refused the login" in str(err.value) and not err.value.retryable
    assert PASSWORD not in str(err.value)
    assert tls_smtp.messages == []
