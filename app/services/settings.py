"""What `veille watch` and the outbox need from `[watch]` and `[smtp]`, secrets resolved.

The tables are declared and checked in the one schema (sources/config.py); here the
secrets they name (`alert_webhook_env`, `password_env`) are read from the environment
or the secrets file, never from the configuration file itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from sources.outbound.email import SmtpSettings
from sources.secrets import get_secret
from triage.config import Config


@dataclass(slots=True)
class WatchSettings:
    quiet_hours: tuple[time, time] | None = None
    alert_webhook: str = ""
    alert_email: str = ""
    bell: bool = False
    sla_warning: float = 900.0
    spike_factor: float = 3.0
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


def smtp_settings(config: Config) -> SmtpSettings:
    """[smtp], its password from the secret it names (SecretError in words)."""
    s = config.smtp
    return SmtpSettings(
        host=s.host,
        port=s.port,
        sender=s.sender,
        username=s.username,
        password=get_secret(s.password_env) if s.password_env else "",
        verify_tls=s.verify_tls,
    )


def watch_settings(config: Config) -> WatchSettings:
    """[watch] and [smtp] with their secrets (SecretError in words if one is missing)."""
    w = config.watch
    webhook = get_secret(w.alert_webhook_env) if w.alert_webhook_env else w.alert_webhook
    return WatchSettings(
        quiet_hours=w.quiet_hours,
        alert_webhook=webhook,
        alert_email=w.alert_email,
        bell=w.bell,
        sla_warning=w.sla_warning,
        spike_factor=w.spike_factor,
        smtp=smtp_settings(config),
    )
