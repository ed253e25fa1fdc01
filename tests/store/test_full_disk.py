"""A full disk fails the action with a clear message and keeps the previous state.

A real full disk: a 1 MiB tmpfs mounted for the test (needs root, as in CI here);
skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from store.errors import StoreError
from store.inbox import Inbox

from .conftest import make_mention


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_refuses_the_action_and_keeps_the_previous_state(small_disk):
    inbox = Inbox.open(small_disk / "store", user="ana")
    inbox.ingest([make_mention(i) for i in range(5)])
    inbox.tag("rss:0", add=["before"])
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        while os.write(fd, b"\0" * 512):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(50):  # the first writes may still fit in partial blocks
            inbox.note("rss:0", "x" * 2000)
    with pytest.raises(StoreError, match="disk is full"):
        inbox.ingest([make_mention(i) for i in range(100, 400)])
    filler.unlink()
    reopened = Inbox.open(small_disk / "store", user="ana")
    state = reopened.state("rss:0")
    assert state.tags == ("before",)
    events = list(reopened.events())
    assert len(events) == 1 + len(state.notes)  # no event without its state, nor the reverse
    assert len(reopened) == 5
    reopened.tag("rss:0", add=["after"])  # and it works again once there is room
    assert Inbox.open(small_disk / "store", user="ana").state("rss:0").tags == ("before", "after")
