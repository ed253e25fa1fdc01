"""`veille watch` on time (issue 14 items 1 and 10): an alert follows the poll that
brought the post (not the next alert tick), the watch takes the poller lease from an
open inbox, and it exits within 2 s of SIGHUP (its terminal gone)."""

from __future__ import annotations

import signal
import time

import orjson
from test_watch import _alerts, _wait
from test_watch_cli import _veille
from test_watch_hostile import _config

from app.ingest import LeasedPolling
from app.runtime import Runtime
from store.inbox import Inbox
from store.lease import Lease


def test_an_alert_follows_its_poll_not_the_next_tick(platform, tmp_path):
    proc = _veille(tmp_path, platform, _config(tmp_path, platform), "--tick", "30", run="t")
    try:
        _wait(lambda: (tmp_path / "store" / "poller.lease").exists(), "the lease", timeout=20)
        time.sleep(1.5)  # a first (empty) poll
        published = time.monotonic()
        platform.state.feed_items = [
            ("https://forum.example/t/9", "Lumio battery exploded, someone injured, danger")
        ]
        _wait(lambda: _alerts(platform), "the urgent alert", timeout=20)
        took = time.monotonic() - published
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    # the feed is polled every second; a 30 s alert tick would make this ~30 s
    assert took < 8, f"the alert came {took:.1f} s after the post"


def test_watch_takes_the_lease_from_an_inbox_and_exits_on_sighup(platform, tmp_path):
    config = _config(tmp_path, platform)
    store = tmp_path / "store"
    with Inbox.open(store, user="camille") as inbox:
        rt = Runtime.load(config, store)
        polling = LeasedPolling(rt, inbox, tick=0.2)
        polling.start()
        try:
            _wait(lambda: polling.lease.held(), "the inbox to poll")
            proc = _veille(tmp_path, platform, config, "--tick", "0.5", run="hup")
            _wait(
                lambda: orjson.loads((store / "poller.lease").read_bytes())["kind"] == "watch",
                "the watch to take the lease",
                timeout=20,
            )
            polls = polling.polls
            time.sleep(2.5)  # the feed is due every second: the inbox no longer polls
            assert polling.polls == polls
            assert not polling.lease.held()
            proc.send_signal(signal.SIGHUP)
            hup = time.monotonic()
            code = proc.wait(10)
            assert time.monotonic() - hup < 2.0
            assert code == 0
            assert "stopping signal=SIGHUP" in (tmp_path / "cli-hup.err").read_text()
            # the watch gave the lease back: the open inbox polls again
            _wait(lambda: polling.lease.held(), "the inbox to poll again", timeout=5)
        finally:
            polling.stop()
    assert Lease(store, "x", "inbox").current() is None  # released on exit
