"""The poller lease between real processes: one holder at a time, a watch takes it from
an inbox (never the reverse), a dead or silent holder is taken over."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import orjson

from store.lease import Lease

HOLD = """
import sys, time
from store.lease import Lease
lease = Lease(sys.argv[1], "ana", sys.argv[2], ttl=float(sys.argv[3]))
assert lease.acquire()
print("held", flush=True)
while True:
    time.sleep(0.2)
    if sys.argv[4] == "renew":
        lease.acquire()
"""


def _holder(folder, kind: str, ttl: float = 15.0, renew: bool = True) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), kind, str(ttl), "renew" if renew else "no"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_one_inbox_holds_a_watch_takes_over_an_inbox_never_takes_from_a_watch(tmp_path):
    inbox = _holder(tmp_path, "inbox")
    try:
        mine = Lease(tmp_path, "bob", "inbox")
        assert not mine.acquire()  # another live inbox polls
        assert mine.current().describe().startswith("ana's inbox on ")
        watch = Lease(tmp_path, "bob", "watch")
        assert watch.acquire()  # the headless poller takes it
        assert mine.current().kind == "watch"
    finally:
        inbox.kill()
        inbox.wait(5)
    watching = _holder(tmp_path / "w", "watch")
    try:
        assert not Lease(tmp_path / "w", "bob", "inbox").acquire()
    finally:
        watching.kill()
        watching.wait(5)
    # its holder died (kill -9, no release): taken over at once, no waiting for expiry
    assert Lease(tmp_path / "w", "bob", "inbox").acquire()


def test_a_silent_holder_loses_the_lease_when_it_expires(tmp_path):
    stuck = _holder(tmp_path, "inbox", ttl=1.0, renew=False)  # alive, never renews
    try:
        mine = Lease(tmp_path, "bob", "inbox")
        assert not mine.acquire()
        time.sleep(1.2)
        assert mine.acquire() and mine.held()
        record = orjson.loads((tmp_path / "poller.lease").read_bytes())
        assert record["user"] == "bob" and record["pid"] == os.getpid()
        mine.release()
        assert mine.current() is None
    finally:
        stuck.kill()
        stuck.wait(5)


def test_a_damaged_lease_file_does_not_stop_polling(tmp_path):
    (tmp_path / "poller.lease").write_bytes(b'{"user": "ana", "ho')
    assert Lease(tmp_path, "bob", "inbox").acquire()
