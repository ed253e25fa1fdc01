"""Alert decisions (pure), secrets (env var or a 0600 file, refused otherwise, redacted)
and the [watch] settings, told in words when wrong."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

import pytest

from app.services.settings import watch_settings
from sources import secrets
from sources.config import ConfigError, load_config
from triage import alerts
from triage.config import SlaConfig
from triage.model import Author, Mention, Reply, Status, TriageState
from triage.views import GroupView

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _view(n, *, minutes_ago=0, priority=10.0, platform="rss", **state) -> GroupView:
    at = NOW - timedelta(minutes=minutes_ago)
    m = Mention(
        f"{platform}:{n}",
        platform,
        "s",
        f"https://x.example/{n}",
        Author(name=n),
        f"text {n}",
        at,
        at,
        brands=("Lumio",),
        priority=priority,
    )
    return GroupView(m.id, [m], TriageState(m.id, **state), priority)


def test_urgent_alert_once_per_open_unanswered_group():
    views = [
        _view("a", priority=90),
        _view("b", priority=90, status=Status.DONE),
        _view("c", priority=90, first_response_at=NOW),
        _view("d", priority=90, snoozed_until=NOW + timedelta(hours=1)),
        _view("e", priority=20),
        _view("old", priority=99, minutes_ago=2 * 24 * 60),  # not paged about on first start
    ]
    found = alerts.urgent_alerts(views, 70, NOW)
    assert [a.key for a in found] == ["urgent:rss:a"]
    assert alerts.fresh(found + found, {"nothing"}) == found[:1]
    assert alerts.fresh(found, {"urgent:rss:a"}) == []


def test_sla_alert_before_the_target_by_platform_and_urgency():
    sla = SlaConfig(urgent=3600, normal=86400, microblog=7200)
    views = [
        _view("m", minutes_ago=110, platform="mastodon"),  # 2 h target, 10 min left
        _view("m2", minutes_ago=60, platform="mastodon"),  # 60 min left
        _view("u", minutes_ago=50, priority=95),  # urgent: 1 h target, 10 min left
        _view("r", minutes_ago=600),  # 24 h target
        _view("late", minutes_ago=1500),  # breached an hour ago
        _view("stale", minutes_ago=3000, priority=95),  # breached a day ago: old news
        _view(
            "answered",
            minutes_ago=3000,
            replies=(Reply("k", "t", "me", NOW),),
            first_response_at=NOW,
        ),
    ]
    found = {a.key: a for a in alerts.sla_alerts(views, sla, 70, NOW, warning=900)}
    assert set(found) == {"sla:mastodon:m", "sla:rss:u", "sla:rss:late"}
    assert "due in 10 min" in found["sla:mastodon:m"].title
    assert "breached" in found["sla:rss:late"].title


def test_spike_against_the_usual_hourly_volume():
    def m(i, minutes_ago):
        at = NOW - timedelta(minutes=minutes_ago)
        return Mention(f"rss:{i}", "rss", "s", "", Author(), "", at, at, brands=("Lumio",))

    day = 24 * 60
    usual = [m(f"u{d}", d * day + 30) for d in range(1, 8)]  # one a day at this hour
    burst = [m(f"n{i}", 5) for i in range(6)]
    # a new store (a few hours of history) never cries spike: it has no "usual" yet
    assert alerts.spike_alerts([m(f"h{i}", 90 + i * 60) for i in range(24)] + burst, NOW) == []
    assert alerts.spike_alerts(usual + burst[:2], NOW) == []  # a week of history, 2 posts
    (spike,) = alerts.spike_alerts(usual + burst, NOW)
    assert spike.key == "spike:Lumio:2026-11-22T12"
    assert "Lumio 6 mentions" in spike.title and "usually ~1" in spike.title


def test_quiet_hours_span_midnight_and_digest_groups_by_kind():
    quiet = (time(22, 0), time(7, 0))
    assert alerts.in_quiet_hours(time(23, 30), quiet)
    assert alerts.in_quiet_hours(time(6, 59), quiet)
    assert not alerts.in_quiet_hours(time(7, 0), quiet)
    assert not alerts.in_quiet_hours(time(12, 0), None)
    text = alerts.digest(
        [
            alerts.Alert("urgent", "k1", "one", "https://a"),
            alerts.Alert("spike", "k2", "two"),
            alerts.Alert("urgent", "k3", "three"),
        ]
    )
    assert text.splitlines()[0] == "veille digest: 3 alert(s) during quiet hours"
    assert "urgent (2):" in text and "spike (1):" in text and "https://a" in text


def test_secret_from_env_then_private_file_and_refusal_of_a_shared_file(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    monkeypatch.setenv("VEILLE_SECRETS", str(path))
    monkeypatch.setenv("VEILLE_X_TOKEN", "from-env-123456")
    assert secrets.get_secret("VEILLE_X_TOKEN") == "from-env-123456"
    monkeypatch.delenv("VEILLE_X_TOKEN")
    path.write_text('VEILLE_X_TOKEN = "from-file-abcdef"\n')
    path.chmod(0o644)
    with pytest.raises(secrets.SecretError) as err:
        secrets.get_secret("VEILLE_X_TOKEN")
    assert f"chmod 600 {path}" in str(err.value) and "from-file" not in str(err.value)
    path.chmod(0o600)
    assert secrets.get_secret("VEILLE_X_TOKEN") == "from-file-abcdef"
    assert secrets.redact("Bearer from-file-abcdef failed") == "Bearer *** failed"
    with pytest.raises(secrets.SecretError, match="VEILLE_MISSING is not set"):
        secrets.get_secret("VEILLE_MISSING")
    path.write_text('VEILLE_X_TOKEN = "unterminated\n')
    with pytest.raises(secrets.SecretError, match="not valid TOML") as err:
        secrets.get_secret("VEILLE_X_TOKEN")
    assert "unterminated" not in str(err.value)


def test_watch_settings_read_and_refused_in_words(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("VEILLE_HOOK", "https://chat.example/hooks/s3cr3t-hook")
    cfg.write_text(
        '[watch]\nquiet_hours = "22:00-07:00"\nalert_webhook_env = "VEILLE_HOOK"\n'
        'bell = true\nsla_warning = "20m"\n[smtp]\nhost = "mail.example"\nport = 2525\n'
    )
    s = watch_settings(load_config(cfg))
    assert s.quiet_hours == (time(22, 0), time(7, 0)) and s.bell and s.sla_warning == 1200
    assert s.alert_webhook.endswith("s3cr3t-hook") and s.smtp.port == 2525
    cfg.write_text('[watch]\nquiet_hours = "late"\n')
    with pytest.raises(ConfigError, match='expected "HH:MM-HH:MM"') as err:
        load_config(cfg)
    assert err.value.line == 2
    assert os.environ["VEILLE_HOOK"]  # untouched
