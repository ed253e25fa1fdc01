"""The `[watch]` and `[smtp]` configuration tables (extensions of the config contract).

`triage.config.Config` does not carry them yet, so they are read here from the same
TOML file (`Config.path`); when `sources/config.py` grows them, only this module changes.

```toml
[watch]
quiet_hours = "22:00-07:00"       # alerts collected and sent as one digest at the end
alert_webhook = "https://chat.example/hooks/oncall"   # or alert_webhook_env = "NAME"
alert_email = "oncall@example.com"
bell = true                        # ring the terminal bell on stderr
sla_warning = "15m"                # alert this long before a first-response target
spike_factor = 3.0                 # a brand's hourly volume this many times its usual

[smtp]
host = "smtp.example.com"
port = 587
sender = "veille@example.com"
username = "veille"
password_env = "VEILLE_SMTP_PASSWORD"   # env var or secrets file, never in this file
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from sources.outbound.email import SmtpSettings
from sources.secrets import get_secret


class SettingsError(ValueError):
    """A bad [watch] or [smtp] value, naming the key and what is expected."""


@dataclass(slots=True)
class WatchSettings:
    quiet_hours: tuple[time, time] | None = None
    alert_webhook: str = ""
    alert_email: str = ""
    bell: bool = False
    sla_warning: float = 900.0
    spike_factor: float = 3.0
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


def parse_duration(value: object, key: str) -> float:
    """A duration (15m, 1h, 90s) with the key named in the error."""
    from sources.config import parse_duration as parse

    try:
        return parse(value)
    except ValueError:
        raise SettingsError(
            f"{key}: expected a duration such as 15m, 1h or 90s, got {value!r}"
        ) from None


def parse_quiet_hours(value: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value or "")
    if not m:
        raise SettingsError(f'[watch] quiet_hours: expected "HH:MM-HH:MM", got {value!r}')
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise SettingsError(f"[watch] quiet_hours: {value!r} is not a time of day")
    return time(h1, m1), time(h2, m2)


def _secret_or_value(table: dict, key: str) -> str:
    if table.get(f"{key}_env"):
        return get_secret(str(table[f"{key}_env"]))
    return str(table.get(key) or "")


def load_watch_settings(config_path: str | Path | None) -> WatchSettings:
    """Read [watch] and [smtp] from the config file; absent tables give the defaults."""
    data: dict = {}
    if config_path and Path(config_path).exists():
        with open(config_path, "rb") as fh:
            data = tomllib.load(fh)
    watch = data.get("watch") or {}
    smtp = data.get("smtp") or {}
    if not isinstance(watch, dict) or not isinstance(smtp, dict):
        raise SettingsError("[watch] and [smtp] must be tables")
    try:
        port = int(smtp.get("port", 587))
    except (TypeError, ValueError):
        raise SettingsError(f"[smtp] port: expected a number, got {smtp.get('port')!r}") from None
    return WatchSettings(
        quiet_hours=parse_quiet_hours(watch["quiet_hours"]) if watch.get("quiet_hours") else None,
        alert_webhook=_secret_or_value(watch, "alert_webhook"),
        alert_email=str(watch.get("alert_email") or ""),
        bell=bool(watch.get("bell", False)),
        sla_warning=parse_duration(watch.get("sla_warning", "15m"), "[watch] sla_warning"),
        spike_factor=float(watch.get("spike_factor", 3.0)),
        smtp=SmtpSettings(
            host=str(smtp.get("host") or "localhost"),
            port=port,
            sender=str(smtp.get("sender") or "veille@localhost"),
            username=str(smtp.get("username") or ""),
            password=_secret_or_value(smtp, "password") if smtp.get("password_env") else "",
            verify_tls=bool(smtp.get("verify_tls", True)),
        ),
    )
