"""kill -9 and concurrent writers: every acknowledged action survives, every file parses."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.inbox import Inbox

from .conftest import make_mention

ACTOR = Path(__file__).with_name("actor.py")
ROOT = Path(__file__).resolve().parents[2]


def _seed_store(store: Path) -> None:
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest([make_mention(i, platform="rss") for i in range(20)])


def _spawn(store: Path, user: str, seed: int, count: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(ACTOR), str(store), user, str(seed), str(count), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _acks(lines: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    tags, ingested = [], []
    for line in lines:
        parts = line.split()
        if parts and parts[0] == "tag" and len(parts) == 3:
            tags.append((parts[1], parts[2]))
        elif parts and parts[0] == "ingest":
            ingested.extend(parts[1:])
    return tags, ingested


def _assert_every_file_parses(store: Path) -> None:
    for path in [*store.glob("mentions/*.json"), *store.glob("state/*.json"), store / "meta.json"]:
        json.loads(path.read_text())  # raises if a crash left a torn file


def _assert_acknowledged(store: Path, tags: list[tuple[str, str]], ingested: list[str]) -> None:
    inbox = Inbox.open(store, user="check")
    assert inbox.problems == []
    for target, tag in tags:
        assert tag in inbox.state(target).tags, f"acknowledged tag {tag} on {target} was lost"
    for mid in ingested:
        assert inbox.mention(mid) is not None, f"acknowledged mention {mid} was lost"


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_no_acknowledged_action(tmp_path):
    store = tmp_path / "store"
    _seed_store(store)
    rng = random.Random(7)
    all_tags: list[tuple[str, str]] = []
    for round_ in range(25):
        proc = _spawn(store, f"u{round_}", round_, 10_000)
        first = proc.stdout.readline()  # started and acting: the kill lands mid-work, however
        time.sleep(rng.uniform(0.15, 0.6))  # long a loaded machine took to start it
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        tags, _ = _acks([first, *out.splitlines()])
        all_tags += tags
    assert len(all_tags) > 50, "the child should have acknowledged many actions"
    _assert_every_file_parses(store)
    _assert_acknowledged(store, all_tags, [])


@pytest.mark.slow
def test_kill_9_of_the_veille_tag_command_loses_nothing_acknowledged(tmp_path):
    store = tmp_path / "store"
    _seed_store(store)
    env = {**os.environ, "VEILLE_STORE": str(store), "USER": "shell"}
    script = 'i=0; while true; do i=$((i+1)); veille tag rss:$((i % 20)) loop-$i >/dev/null && echo "tag rss:$((i % 20)) loop-$i"; done'
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    acknowledged: list[tuple[str, str]] = []
    rng = random.Random(11)
    for _ in range(8):
        proc = subprocess.Popen(
            ["bash", "-c", script],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.5, 1.2))
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += _acks(out.splitlines())[0]
    assert acknowledged, "the loop should have acknowledged some tags"
    _assert_every_file_parses(store)
    _assert_acknowledged(store, acknowledged, [])


@pytest.mark.slow
def test_concurrent_writers_and_a_poller_lose_no_update(tmp_path):
    store = tmp_path / "store"
    _seed_store(store)
    procs = [_spawn(store, f"w{i}", i, 60) for i in range(3)]
    procs.append(_spawn(store, "poller", 99, 30, "ingest"))
    tags, ingested = [], []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        t, m = _acks(out.splitlines())
        tags += t
        ingested += m
    assert len(tags) == 180 and len(ingested) == 150
    _assert_every_file_parses(store)
    _assert_acknowledged(store, tags, ingested)
    inbox = Inbox.open(store, user="check")
    assert sum(1 for e in inbox.events() if e.action == "tag") == 180
