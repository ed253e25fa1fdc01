"""`veille watch` from the command line: config file, [watch] table, quiet-hours digest
held across a restart, bad settings refused in words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from test_watch import HOOK_SECRET, _alerts, _mention, _wait

from store.inbox import Inbox


def _config(tmp_path, platform, quiet: str | None) -> str:
    path = tmp_path / "config.toml"
    lines = [
        'user = "camille"',
        "[[brands]]",
        'name = "Lumio"',
        'keywords = ["lumio"]',
        "[[sources]]",
        'name = "feed"',
        'kind = "rss"',
        f'url = "{platform.url}/feed.xml"',
        'every = "1m"',
        "[watch]",
        'alert_webhook_env = "VEILLE_TEST_ALERT_HOOK"',
    ]
    if quiet:
        lines.append(f'quiet_hours = "{quiet}"')
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _veille(tmp_path, platform, config: str, *args: str, run: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "TZ": "UTC",
        "VEILLE_TEST_ALERT_HOOK": f"{platform.url}/hooks/{HOOK_SECRET}",
    }
    with open(tmp_path / f"cli-{run}.err", "w") as err:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "--config",
                config,
                "--store",
                str(tmp_path / "store"),
                "watch",
                *args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )


def test_quiet_hours_hold_alerts_then_one_digest_after_restart(platform, tmp_path):
    now = datetime.now(UTC)
    quiet = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
    with Inbox.open(tmp_path / "store", user="x") as inbox:
        inbox.ingest([_mention("night1", priority=95), _mention("night2", priority=90)])
    proc = _veille(tmp_path, platform, _config(tmp_path, platform, quiet), "--tick", "0.2", run="1")
    err = tmp_path / "cli-1.err"
    _wait(lambda: err.read_text().count("alert held for digest") == 2, "alerts held")
    assert _alerts(platform) == []  # nothing sent at night
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0

    proc = _veille(tmp_path, platform, _config(tmp_path, platform, None), "--tick", "0.2", run="2")
    _wait(lambda: len(_alerts(platform)) == 1, "the digest")
    time.sleep(0.6)
    (digest,) = _alerts(platform)
    assert digest["text"].startswith("veille digest: 2 alert(s)")
    assert "night1" in digest["text"] and "night2" in digest["text"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert HOOK_SECRET not in (tmp_path / "cli-2.err").read_text()


def test_bad_watch_settings_are_refused_in_words(platform, tmp_path):
    config = _config(tmp_path, platform, "whenever")
    proc = _veille(tmp_path, platform, config, "--once", run="bad")
    assert proc.wait(20) == 2
    assert 'quiet_hours: expected "HH:MM-HH:MM"' in (tmp_path / "cli-bad.err").read_text()


def test_watch_polls_a_changing_feed_survives_garbage_and_alerts(platform, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{platform.url}/feed.xml"\n'
        'every = "1s"\n[watch]\nalert_webhook_env = "VEILLE_TEST_ALERT_HOOK"\n'
    )
    platform.state.feed_garbage = True
    with Inbox.open(tmp_path / "store", user="x") as inbox:  # a week of history
        inbox.ingest([_mention("old", minutes_ago=8 * 24 * 60, priority=5)])
    proc = _veille(tmp_path, platform, str(config), "--tick", "0.2", run="feed")
    err = tmp_path / "cli-feed.err"
    _wait(lambda: "source failing source=forum" in err.read_text(), "the garbage to be told")
    platform.state.feed_items = [
        (f"p{i}", f"Ma lampe Lumio a pris feu {i}, dangereux, remboursement !") for i in range(7)
    ]
    platform.state.feed_garbage = False
    _wait(lambda: "new=7" in err.read_text(), "the feed's posts to be stored", timeout=20)
    _wait(lambda: any(a.get("veille_kind") == "spike" for a in _alerts(platform)), "a spike")
    assert "source recovered source=forum" in err.read_text()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert err.read_text().rstrip().endswith("stopped")
    with Inbox.open(tmp_path / "store", user="x") as inbox:
        assert (
            len(inbox) == 8
        )  # the old one and 7 stored through the real pipeline: brands, groups, priority
    kinds = [a["veille_kind"] for a in _alerts(platform)]
    assert kinds.count("urgent") == 1  # "a pris feu, dangereux": one group, one alert
