"""The status bar tells the truth about polling (issue 14 item 1): each source shows the
real time of its last successful poll, red once that is older than twice its interval."""

from __future__ import annotations

from datetime import timedelta

from sources.health import HealthFiles, SourceHealth
from triage.config import Config, SourceConfig
from triage.model import utcnow
from tui.integration import make_health


def test_a_source_not_polled_for_twice_its_interval_is_red(tmp_path):
    now = utcnow()
    config = Config(
        user="ana",
        sources=(
            SourceConfig(name="fresh", kind="rss", url="http://127.0.0.1/a", every=60),
            SourceConfig(name="stale", kind="rss", url="http://127.0.0.1/b", every=60),
            SourceConfig(name="new", kind="rss", url="http://127.0.0.1/c", every=60),
        ),
    )
    files = HealthFiles(tmp_path)
    files.save(SourceHealth("fresh", "rss", last_ok=now - timedelta(seconds=90)))
    files.save(SourceHealth("stale", "rss", last_ok=now - timedelta(seconds=150)))
    lines = {line.name: line for line in make_health(config, tmp_path, lambda: now)()}
    assert lines["fresh"].ok
    assert f"{(now - timedelta(seconds=90)).astimezone():%H:%M}" in lines["fresh"].detail
    assert not lines["stale"].ok  # 2.5 intervals: the status bar shows it red
    assert f"{(now - timedelta(seconds=150)).astimezone():%H:%M}" in lines["stale"].detail
    assert lines["new"].detail == "never polled"
