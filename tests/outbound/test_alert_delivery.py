"""Alert delivery that survives hostile ids, a failing channel and a crash mid-post
(issue 18 item 2, issue 14 item 10), against the loopback webhook server."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time

import httpx
from test_watch import HOOK_SECRET, WORLD, _alerts, _mention, _wait
from world import make_config

from app.services.ledger import Ledger
from app.services.settings import WatchSettings
from app.services.watch import Watch
from store.inbox import Inbox

HOSTILE = "urgent:rss:forum#evil\nline\x1b[31mred\x00"


def _watch(platform, store, lines: list[str], tick: float = 30.0) -> Watch:
    return Watch(
        make_config(platform.url),
        store,
        WatchSettings(alert_webhook=f"{platform.url}/hooks/{HOOK_SECRET}"),
        tick=tick,
        log=lambda event, **kw: lines.append(" ".join([event, *map(str, kw.values())])),
    )


def test_the_ledger_takes_any_key_and_survives_a_torn_line(tmp_path):
    path = tmp_path / "alerts.ledger"
    ledger = Ledger(path)
    for key in (HOSTILE, "x" * 5000, "? looks like a record", "plain:key"):
        ledger.add(key)
    with open(path, "ab") as fh:
        fh.write(b"half a li")  # a crash mid-write
    again = Ledger(path)
    again.add("after:crash")
    fresh = Ledger(path)
    for key in (HOSTILE, "x" * 5000, "? looks like a record", "plain:key", "after:crash"):
        assert key in fresh
    assert "? looks like" not in fresh  # a key is never read as a record
    assert all(line.isprintable() for line in path.read_text().splitlines())


def test_a_burst_is_recorded_in_one_write_and_read_back_like_single_records(tmp_path):
    """A first round may raise thousands of alerts at once: their records go in one
    write (and one fsync), and read back exactly as one `add`/`begin` each would."""
    path = tmp_path / "alerts.ledger"
    path.write_bytes(b"torn li")  # a crash mid-write before
    ledger = Ledger(path)
    keys = [f"sla:rss:{i}#webhook" for i in range(500)] + [HOSTILE]
    assert ledger.begin_all(keys) == [True] * len(keys)
    ledger.abandon_all(keys[:10])
    ledger.add_all(keys[10:])
    fresh = Ledger(path)  # a restart
    assert all(k in fresh for k in keys[10:])
    assert not any(k in fresh for k in keys[:10])
    assert [fresh.attempts(k) for k in keys[:10]] == [0] * 10  # begun, then failed: none open
    ledger.begin_all(keys[:3])  # begun, then the process died mid-post
    assert [Ledger(path).attempts(k) for k in keys[:4]] == [1, 1, 1, 0]
    # the torn line ended, then one line per record: begun, 10 failed, the rest sent, 3 begun
    assert path.read_text().count("\n") == 1 + len(keys) + 10 + (len(keys) - 10) + 3


async def test_a_hostile_key_is_sent_once_and_never_blocks_the_others(platform, tmp_path):
    store = tmp_path / "store"
    Inbox.open(store, user="watch").close()
    lines: list[str] = []
    for _ in range(3):  # three ticks, and a restart between each
        watch = _watch(platform, store, lines)
        async with httpx.AsyncClient() as watch.client:
            for key in ("urgent:rss:one", HOSTILE, "urgent:rss:two"):
                await watch.send(key, f"[urgent] {key}")
    keys = [a["veille_alert"] for a in _alerts(platform)]
    assert len(keys) == 3, keys
    assert keys[0] == "urgent:rss:one" and keys[2] == "urgent:rss:two"
    assert keys[1] == "urgent:rss:forum#evil\\nline\\x1b[31mred\\x00"  # escaped, one line
    assert all("\x1b" not in a["text"] for a in _alerts(platform))


async def test_a_failing_channel_backs_off_exponentially(platform, tmp_path):
    store = tmp_path / "store"
    Inbox.open(store, user="watch").close()
    path = f"/hooks/{HOOK_SECRET}"
    platform.state.faults[path] = ["500"] * 100
    lines: list[str] = []
    watch = _watch(platform, store, lines, tick=0.5)
    tries: list[float] = []
    start = time.monotonic()
    async with httpx.AsyncClient() as watch.client:
        while time.monotonic() - start < 6.0:  # 60 ticks of 0.1 s
            before = len(platform.state.faults[path])
            await watch.send("urgent:rss:down", "[urgent] down")
            if len(platform.state.faults[path]) < before:
                tries.append(time.monotonic() - start)
            await asyncio.sleep(0.1)
        # waits of 1, 2 then 4 s (the webhook's own retries happen inside each try)
        assert 2 <= len(tries) <= 4, tries
        gaps = [b - a for a, b in itertools.pairwise(tries)]
        assert all(later > earlier for earlier, later in itertools.pairwise(gaps)), gaps
        assert any("retry_in=" in line or "1s" in line for line in lines)
        platform.state.faults[path] = []
        watch._backoff.clear()  # the channel is up again: the next try goes through
        assert await watch.send("urgent:rss:down", "[urgent] down")
    assert [a["veille_alert"] for a in _alerts(platform)] == ["urgent:rss:down"]


async def test_a_node_that_posted_nothing_does_not_say_it_sent(platform, tmp_path):
    """Another node told the webhook and died before it wrote the alert's own key: this
    node posts nothing, and its log says so rather than "alert sent"."""
    store = tmp_path / "store"
    Inbox.open(store, user="watch").close()
    lines: list[str] = []
    watch = _watch(platform, store, lines)
    watch.ledger.add("urgent:rss:told#webhook")  # the other node's channel record
    async with httpx.AsyncClient() as watch.client:
        assert await watch.send("urgent:rss:told", "[urgent] told")
        assert await watch.send("urgent:rss:new", "[urgent] new")
    assert [a["veille_alert"] for a in _alerts(platform)] == ["urgent:rss:new"]
    assert lines[0].startswith("alert already sent urgent:rss:told")
    assert lines[1].startswith("alert sent urgent:rss:new webhook")
    assert "urgent:rss:told" in watch.ledger


def _start_world(store, platform, tmp_path, run: int) -> subprocess.Popen:
    env = {**os.environ, "VEILLE_TEST_ALERT_HOOK": f"{platform.url}/hooks/{HOOK_SECRET}"}
    with open(tmp_path / f"w{run}.err", "w") as err:
        return subprocess.Popen(
            [sys.executable, str(WORLD), "watch", str(store), platform.url, "0.2"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )


def test_a_crash_mid_post_re_posts_once_at_most(platform, tmp_path):
    """kill -9 while the webhook holds the post (sent, not acknowledged): the next start
    posts it once more with the same delivery id; killed again there, never a third time."""
    store = tmp_path / "store"
    with Inbox.open(store, user="tester") as inbox:
        inbox.ingest([_mention("fire", priority=95)])
    path = f"/hooks/{HOOK_SECRET}"
    for run in (1, 2):
        platform.state.hold[path] = 30
        platform.state.received.clear()
        proc = _start_world(store, platform, tmp_path, run)
        assert platform.state.received.wait(20), "the post to arrive"
        proc.kill()  # SIGKILL mid-post
        proc.wait(5)
    platform.state.hold.pop(path)
    platform.state.release.set()
    proc = _start_world(store, platform, tmp_path, 3)
    try:
        _wait(lambda: "started" in (tmp_path / "w3.err").read_text(), "watch to start")
        time.sleep(1.5)  # several ticks
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    urgent = [h for h in platform.state.hooks if h["json"]["veille_alert"] == "urgent:rss:fire"]
    assert len(urgent) == 2  # the post and one re-post, never a third
    assert urgent[0]["delivery"] == urgent[1]["delivery"]  # a receiver can tell them apart
    assert "not posted again" in (tmp_path / "w3.err").read_text()
