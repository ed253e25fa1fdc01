"""`veille watch` runs for real (a child process): it alerts once on an urgent mention, an
SLA about to breach and a spike, sends pending replies, keeps quiet after a restart,
stops cleanly on SIGTERM, and no secret appears in anything it wrote."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from platform_server import BSKY_PASSWORD, MASTO_TOKEN

from store.inbox import Inbox
from triage.model import Author, DeliveryStatus, Mention, utcnow

WORLD = Path(__file__).parent / "world.py"
HOOK_SECRET = "oncall-hook-secret-5d1e"


def _mention(n: str, *, minutes_ago: float = 0, priority: float = 10, platform="rss") -> Mention:
    at = utcnow() - timedelta(minutes=minutes_ago)
    return Mention(
        id=f"{platform}:{n}",
        platform=platform,
        source="alerts",
        url="https://other.example/@ana/111"
        if platform == "mastodon"
        else f"https://forum.example/t/{n}",
        author=Author(name=f"user{n}"),
        text=f"Lumio post {n}",
        created_at=at,
        fetched_at=at,
        brands=("Lumio",),
        priority=priority,
    )


def _start(store, platform, tmp_path, run: int) -> tuple[subprocess.Popen, Path]:
    err = tmp_path / f"watch-{run}.err"
    out = tmp_path / f"watch-{run}.out"
    env = {**os.environ, "VEILLE_TEST_ALERT_HOOK": f"{platform.url}/hooks/{HOOK_SECRET}"}
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(WORLD), "watch", str(store), platform.url, "0.2"],
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    _wait(lambda: "started" in err.read_text(), "watch to start")
    return proc, err


def _wait(cond, what: str, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _alerts(platform) -> list[dict]:
    return [h["json"] for h in platform.state.hooks if h["path"].endswith(HOOK_SECRET)]


def _stop(proc) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(10)


def _clear_of_the_hour() -> None:
    """A spike's alert is keyed by the clock hour (triage.alerts): a run straddling the top
    of the hour would meet the same burst as a new hour's spike. Start clear of it."""
    now = utcnow()
    left = 3600 - (now.minute * 60 + now.second + now.microsecond / 1e6)
    if left < 90:
        time.sleep(left + 1)


def test_watch_alerts_once_survives_restart_and_leaks_no_secret(platform, tmp_path):
    _clear_of_the_hour()
    store = tmp_path / "store"
    with Inbox.open(store, user="tester") as inbox:
        inbox.ingest([_mention("calm", minutes_ago=600, priority=5)])
        # a week of history: spikes are told only against a baseline
        inbox.ingest([_mention("old", minutes_ago=8 * 24 * 60, priority=5)])
    proc, err = _start(store, platform, tmp_path, 1)

    # the source changes: an urgent post, a microblog post near its 2 h SLA, a burst
    with Inbox.open(store, user="poller") as inbox:
        inbox.ingest([_mention("fire", priority=95)])
        inbox.ingest([_mention("late", minutes_ago=110, platform="mastodon")])
        inbox.ingest([_mention(f"burst{i}") for i in range(6)])
        inbox.ingest([_mention("question", platform="mastodon")])
        inbox.add_reply("mastodon:question", "Bonjour, on s'en occupe.")
    _wait(
        lambda: {a["veille_kind"] for a in _alerts(platform)} >= {"urgent", "sla", "spike"},
        "alerts",
    )
    _wait(lambda: len(platform.state.statuses) == 1, "the reply to be posted")
    time.sleep(0.6)  # a few more ticks: nothing is repeated
    first = _alerts(platform)
    keys = [a["veille_alert"] for a in first]
    assert sorted(keys) == sorted(set(keys)), keys
    assert {"urgent:rss:fire", "sla:mastodon:late"} <= set(keys)
    assert "sla:rss:calm" not in keys  # 10 h old on a 24 h target: not yet
    assert _stop(proc) == 0
    log = err.read_text()
    assert "stopping signal=SIGTERM" in log and log.rstrip().endswith("stopped")

    proc, _ = _start(store, platform, tmp_path, 2)  # restart: nothing sent twice
    time.sleep(0.8)
    assert len(_alerts(platform)) == len(first)
    with Inbox.open(store, user="poller") as inbox:
        inbox.ingest([_mention("fire2", priority=99)])
        assert inbox.state("mastodon:question").replies[0].status is DeliveryStatus.DELIVERED
    _wait(lambda: len(_alerts(platform)) == len(first) + 1, "the new urgent alert")
    assert _alerts(platform)[-1]["veille_alert"] == "urgent:rss:fire2"
    assert _stop(proc) == 0

    # every output of the run: logs, store files, ledgers, an export and a report
    for args, name in (
        (["export", "--format", "jsonl"], "export.jsonl"),
        (["report"], "report.md"),
    ):
        with open(tmp_path / name, "w") as out:
            done = subprocess.run(
                [sys.executable, "-m", "cli.main", "--store", str(store), *args],
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=60,
                check=False,
            )
        assert done.returncode == 0, done.stderr
    assert "rss:fire" in (tmp_path / "export.jsonl").read_text()
    outputs = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(outputs) > 5
    for path in outputs:
        data = path.read_bytes()
        for secret in (MASTO_TOKEN, BSKY_PASSWORD, HOOK_SECRET):
            assert secret.encode() not in data, f"{secret} leaked into {path}"


async def test_a_burst_of_alerts_is_one_message_and_never_repeated(platform, tmp_path):
    import httpx
    from world import make_config

    from app.services.settings import WatchSettings
    from app.services.watch import BURST, Watch

    store = tmp_path / "store"
    with Inbox.open(store, user="poller") as inbox:
        inbox.ingest([_mention(f"fire{i}", priority=95) for i in range(BURST + 5)])
    hook = f"{platform.url}/hooks/{HOOK_SECRET}"
    lines: list[str] = []
    for _ in range(2):  # the second process start sends nothing
        watch = Watch(
            make_config(platform.url),
            store,
            WatchSettings(alert_webhook=hook),
            log=lambda event, **kw: lines.append(event),
        )
        watch.inbox = Inbox.open(store, user="watch")
        async with httpx.AsyncClient() as watch.client:
            await watch.check()
        watch.inbox.close()
    (burst,) = _alerts(platform)
    # no spike: a new store has no week of history to stand above
    assert burst["text"].startswith(f"veille digest: {BURST + 5} alert(s) at once")
    assert f"urgent ({BURST + 5}):" in burst["text"]
