"""Several nodes on one PostgreSQL store, as separate processes: two outbox senders never
post one reply twice (SKIP LOCKED), a sender killed mid-send is taken over without a
second post, and kill -9 of a writer loses no action it acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.postgres import PgStore
from tests.pg.backends import mention
from triage.model import DeliveryStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbound"))

from platform_server import MASTO_TOKEN, PlatformServer
from world import MASTO_ENV, mentions

NODE = Path(__file__).parent / "node.py"
POST = ("POST", "/api/v1/statuses")


@pytest.fixture
def platform(monkeypatch):
    monkeypatch.setenv(MASTO_ENV, MASTO_TOKEN)
    with PlatformServer() as server:
        yield server


def node(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(NODE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def queue_replies(url: str, n: int) -> list[str]:
    with PgStore.open(url, user="tester") as store:
        store.ingest(mentions())
        return [store.add_reply("mastodon:111", f"Réponse numéro {i}").key for i in range(n)]


def test_two_nodes_never_post_one_reply_twice(pg_url, platform, tmp_path):
    keys = queue_replies(pg_url, 40)
    platform.state.hold[POST[1]] = 0.05  # each post takes a while: both nodes are busy
    nodes = [node("send", pg_url, platform.url, str(tmp_path / f"n{i}"), "300") for i in (1, 2)]
    outputs = [p.communicate(timeout=120) for p in nodes]
    assert all(p.returncode == 0 for p in nodes), outputs
    sent = [json.loads(out.splitlines()[-1]) for out, _ in outputs]
    assert sorted(len(s) for s in sent)[0] > 0  # both nodes shared the work
    assert sum(len(s) for s in sent) == 40
    assert platform.state.requests.count(POST) == 40  # never one post twice
    with PgStore.open(pg_url, user="tester") as store:
        replies = store.state("mastodon:111").replies
        assert store.pending_outbox() == []
    assert {r.key for r in replies} == set(keys)
    assert all(r.status is DeliveryStatus.DELIVERED for r in replies)


def test_a_node_killed_mid_send_is_taken_over_once(pg_url, platform, tmp_path):
    (key,) = queue_replies(pg_url, 1)
    platform.state.hold[POST[1]] = 30
    first = node("send", pg_url, platform.url, str(tmp_path / "a"), "1")
    assert platform.state.received.wait(30), first.communicate(timeout=5)
    os.kill(first.pid, signal.SIGKILL)  # posted, not yet recorded
    first.wait(10)
    platform.state.hold.pop(POST[1])
    platform.state.release.set()
    import time

    time.sleep(1.2)  # the dead node's hold on the row lapses
    second = node("send", pg_url, platform.url, str(tmp_path / "b"), "300")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert json.loads(out.splitlines()[-1]) == ["delivered"]
    assert len(platform.state.statuses) == 1  # the re-post carried the same Idempotency-Key
    with PgStore.open(pg_url, user="tester") as store:
        (reply,) = store.state("mastodon:111").replies
    assert reply.key == key and reply.status is DeliveryStatus.DELIVERED


def test_kill_9_of_a_writer_loses_no_acknowledged_action(pg_url):
    with PgStore.open(pg_url, user="tester") as store:
        store.ingest([mention(1)])
    writer = node("write", pg_url, "ana", "100000")
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    acknowledged = []
    while len(acknowledged) < 150:
        acknowledged.append(writer.stdout.readline().strip())
    os.kill(writer.pid, signal.SIGKILL)  # most likely mid-transaction
    writer.wait(10)
    acknowledged += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]
    with PgStore.open(pg_url, user="tester") as store:
        tags = set(store.state("rss:1").tags)
        events = [e for e in store.events() if e.action == "tag"]
        store.tag("rss:1", add=["after"])  # nothing left locked by the dead writer
        rev = store.state("rss:1").rev
    assert set(acknowledged) <= tags
    assert len(events) == len(tags) == rev - 1
