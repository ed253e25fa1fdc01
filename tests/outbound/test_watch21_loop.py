"""`veille watch` keeps its event loop free while it decides alerts (wave 9).

A first alert check on a big folder store builds every group's view (seconds at
100,000 mentions). It runs on a thread: meanwhile the poller lease is renewed and the
outbox sends what a user queued, and a SIGTERM during it ends the watch cleanly.
Real stores (60,000 stored mentions), real HTTP on 127.0.0.1, the real Watch and CLI."""

from __future__ import annotations

import asyncio
import itertools
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from test_watch import _wait
from test_watch_cli import _veille

from app.runtime import Runtime
from app.services.settings import watch_settings
from app.services.watch import Watch
from sources.config import parse_config
from store.inbox import Inbox
from store.scripted import ScriptedStore
from triage.model import Author, Mention, utcnow

STORED = 60_000  # enough that building every view takes a good part of a second


def _fill(store: Path, n: int = STORED) -> None:
    """`n` stored stories, ten days old (no alert is due: the check only reads)."""
    at = utcnow() - timedelta(days=10)
    with Inbox.open(store, user="camille") as inbox:
        inbox.ingest(
            Mention(
                id=f"rss:{i}",
                platform="rss",
                source="forum",
                url=f"https://forum.example/t/{i}",
                author=Author(name=f"user{i % 97}"),
                text=f"post {i} about the Lumio lamp",
                created_at=at + timedelta(seconds=i),
                fetched_at=at,
            )
            for i in range(n)
        )


def _config(platform) -> str:
    return (
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{platform.url}/feed.xml"\n'
        f'every = "1s"\n[[teams]]\nname = "ops"\nwebhook = "{platform.url}/hooks/ops"\n'
    )


def _lease_expiry(store: Path) -> float:
    try:
        return float(orjson.loads((store / "poller.lease").read_bytes())["expires"])
    except (OSError, ValueError, KeyError):
        return 0.0


def test_a_slow_check_neither_delays_the_lease_nor_the_outbox(platform, tmp_path):
    store = tmp_path / "store"
    _fill(store)
    config = parse_config(_config(platform))
    watch = Watch(config, store, watch_settings(config), tick=0.2, log=lambda *a, **k: None)
    watch.lease_ttl = 1.0  # renewed every 0.2 s: a loop held for a second lets it lapse
    decide = watch._decide
    seen: dict[str, float] = {}
    first_done = threading.Event()

    def hand_off() -> None:  # a user hands a story off meanwhile (as `veille` would)
        with ScriptedStore.open(store, user="ana") as other:
            other.handoff("rss:7", "ops", "please call them back")
        seen["queued"] = time.monotonic()

    def observed(now):  # the real decision, timed; its ends looked at from outside
        if first_done.is_set():
            return decide(now)
        _wait(lambda: _lease_expiry(store) > 0, "the poller lease", timeout=10)
        seen["start"], seen["lease_start"] = time.monotonic(), _lease_expiry(store)
        threading.Thread(target=hand_off).start()
        try:
            return decide(now)
        finally:
            seen["end"], seen["lease_end"] = time.monotonic(), _lease_expiry(store)
            seen["sent_during"] = any(h["path"] == "/hooks/ops" for h in platform.state.hooks)
            first_done.set()

    watch._decide = observed  # type: ignore[method-assign]
    lags: list[tuple[float, float]] = []

    async def probe_then_stop() -> None:
        while not first_done.is_set():
            t0 = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append((t0, time.monotonic() - t0 - 0.01))
        await asyncio.sleep(0.3)
        watch.stop.set()

    async def main() -> None:
        prober = asyncio.create_task(probe_then_stop())
        await asyncio.wait_for(watch.run(), timeout=90)
        await prober

    asyncio.run(main())
    took = seen["end"] - seen["start"]
    assert took > 0.4, f"the store was too quick to show anything ({took:.2f} s)"
    # the hand-off queued during the check went out before the check ended
    assert seen["queued"] < seen["end"] and seen["sent_during"], seen
    # the lease was renewed through the check (on the loop it could not be: it lapses)
    assert seen["lease_end"] - seen["lease_start"] > took / 2, seen
    assert seen["lease_end"] > time.time() - (time.monotonic() - seen["end"])
    # the probe's sleeps begun in the check (or just before: one the check would hold)
    during = [lag for at, lag in lags if seen["start"] - 0.02 <= at <= seen["end"]]
    assert during and max(during) < 0.25, f"the loop stalled {max(during):.2f} s in {took:.2f} s"
    assert watch.deciding.runs >= 1


@pytest.mark.parametrize("sig", [signal.SIGTERM])
def test_a_stop_during_a_check_exits_cleanly_and_quickly(platform, tmp_path, sig):
    store = tmp_path / "store"
    _fill(store)
    config = tmp_path / "config.toml"
    config.write_text(_config(platform))
    proc = _veille(tmp_path, platform, str(config), "--tick", "30", run="stop")
    err = tmp_path / "cli-stop.err"
    try:
        _wait(lambda: " started " in err.read_text(), "the watch to start", timeout=30)
        proc.send_signal(sig)  # its first check (every view of 60,000 stories) is under way
        asked = time.monotonic()
        code = proc.wait(30)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            proc.kill()
    log = err.read_text()
    assert code == 0, log
    assert "Traceback" not in log and "Error" not in log, log
    assert "alert check abandoned" in log, log  # the stop landed in the check...
    assert log.rstrip().endswith("stopped"), log  # ...which ended before the store closed
    assert took < 5, f"{took:.1f} s to stop"
    with Inbox.open(store, user="camille") as inbox:  # the store is whole
        assert len(inbox) == STORED


def test_checks_asked_at_once_run_one_after_the_other(tmp_path):
    store = tmp_path / "store"
    _fill(store, 20_000)
    config = parse_config('user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n')
    watch = Watch(config, store, watch_settings(config), log=lambda *a, **k: None)
    watch.inbox = Runtime.of(config, store).open_store()
    decide, spans = watch._decide, []

    def observed(now):  # the real decision, its span noted
        began = time.monotonic()
        try:
            return decide(now)
        finally:
            spans.append((began, time.monotonic(), threading.current_thread().name))

    watch._decide = observed  # type: ignore[method-assign]

    async def three() -> list:
        return await asyncio.gather(watch.check(), watch.check(), watch.check())

    try:
        assert asyncio.run(three()) == [[], [], []]
    finally:
        watch.inbox.close()
    spans.sort()
    assert len(spans) == 3
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
    assert all(name.startswith("veille-alerts") for _, _, name in spans)  # not the loop's
