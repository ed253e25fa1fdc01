"""VEILLE_CRASH_AT=after-post: the outbox killed after a request was sent, before its answer
was recorded. The next pass (here by a long-lived process) must not post a second time."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

OUTBOUND = Path(__file__).resolve().parents[1] / "outbound"
sys.path.insert(0, str(OUTBOUND))

from platform_server import BSKY_PASSWORD, MASTO_TOKEN, PlatformServer  # noqa: E402
from world import BSKY_ENV, MASTO_ENV, make_config, mentions  # noqa: E402

from app.services.outbox import OutboxWorker  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from triage.model import DeliveryStatus  # noqa: E402

from .helpers import ROOT, env_for  # noqa: E402


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv(MASTO_ENV, MASTO_TOKEN)
    monkeypatch.setenv(BSKY_ENV, BSKY_PASSWORD)
    store = tmp_path / "store"
    with Inbox.open(store, user="tester") as inbox:
        inbox.ingest(mentions())
    with PlatformServer() as server:
        yield store, server


def _killed_sender(store: Path, server_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(OUTBOUND / "world.py"), str(store), server_url, "0"],
        capture_output=True,
        text=True,
        env=env_for(store, "tester", "after-post"),
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize("target", ["mastodon:111", "bluesky:3kparent", "handoff"])
def test_a_sender_killed_after_posting_never_posts_twice(world, target):
    store, server = world
    with Inbox.open(store, user="tester") as long_lived:
        if target == "handoff":
            long_lived.handoff("mastodon:111", "sav", "lampe défectueuse")
        else:
            long_lived.add_reply(target, "Nous regardons, merci.")
        killed = _killed_sender(store, server.url)
        assert killed.returncode == -9, killed.stderr
        worker = OutboxWorker(long_lived, make_config(server.url), timeout=10)
        outcomes = asyncio.run(worker.run_once())
        assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED]
        assert asyncio.run(worker.run_once()) == []  # nothing left to send
    state = server.state
    if target == "handoff":
        assert len({h["delivery"] for h in state.hooks}) == 1  # one delivery id, for the receiver
    elif target.startswith("mastodon"):
        assert len(state.statuses) == 1  # Idempotency-Key: the repeat created nothing
    else:
        assert len(state.records) == 1
