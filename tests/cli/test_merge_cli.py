"""`veille merge`, `veille split` and `veille undo` in a real subprocess, on a real store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)


def run(store: Path, *args: str, user: str = "ana", **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(PYTHONPATH=str(ROOT), USER=user, **extra)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", str(store), *args],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


def mention(n: int, group: int) -> Mention:
    return Mention(
        id=f"rss:{n}", platform="rss", source="rss-src", url=f"https://example.org/{n}",
        author=Author(name=f"author {n}"), text=f"Lumio post {n}",
        created_at=NOW - timedelta(minutes=10 - n), fetched_at=NOW, brands=("Lumio",),
        group_id=f"rss:{group}",
    )  # fmt: skip


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "store"
    with Inbox.open(path, user="ana") as box:
        box.ingest([mention(1, 1), mention(2, 1), mention(3, 3), mention(4, 4)])
    return path


def groups(store: Path) -> dict[str, list[str]]:
    with Inbox.open(store, user="check") as box:
        return {g: [m.id for m in box.group(g)] for g in sorted(box.group_ids())}


def test_merge_split_and_undo_from_the_command_line(store):
    done = run(store, "merge", "rss:3", "rss:1", "rss:4")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rss:3\tmerged\tcopies=4")
    assert groups(store) == {"rss:3": ["rss:1", "rss:2", "rss:3", "rss:4"]}
    split = run(store, "split", "rss:4")
    assert split.returncode == 0, split.stderr
    assert groups(store) == {"rss:3": ["rss:1", "rss:2", "rss:3"], "rss:4": ["rss:4"]}
    assert run(store, "undo").returncode == 0  # the split
    assert run(store, "undo").returncode == 0  # the merge: both stories, one step
    assert groups(store) == {"rss:1": ["rss:1", "rss:2"], "rss:3": ["rss:3"], "rss:4": ["rss:4"]}


def test_refusals_are_said_in_words(store):
    same = run(store, "merge", "rss:1", "rss:2")
    assert same.returncode == 1 and "already one story" in same.stderr
    leader = run(store, "split", "rss:1")
    assert leader.returncode == 1 and "split the other copies out" in leader.stderr
    missing = run(store, "split", "rss:99")
    assert missing.returncode == 1 and "rss:99" in missing.stderr


def test_a_merge_killed_after_its_journal_line_is_redone(store):
    """kill -9 between the journal and the state file: the next process redoes it."""
    killed = run(store, "merge", "rss:1", "rss:3", VEILLE_CRASH_AT="after-journal")
    assert killed.returncode == -9
    assert groups(store) == {"rss:1": ["rss:1", "rss:2", "rss:3"], "rss:4": ["rss:4"]}
    assert run(store, "undo").returncode == 0
    assert groups(store)["rss:3"] == ["rss:3"]


def test_a_scripted_tag_lands_on_the_story_fixed_by_hand(store):
    """`veille tag` opens no archive (store.scripted): it must still follow a merge and
    a split, or a script tags a story nobody sees any more."""
    assert run(store, "merge", "rss:3", "rss:1").returncode == 0
    assert run(store, "split", "rss:2").returncode == 0
    tagged = run(store, "tag", "rss:1", "refund")
    assert tagged.returncode == 0, tagged.stderr
    alone = run(store, "tag", "rss:2", "solo")
    assert alone.returncode == 0, alone.stderr
    with Inbox.open(store, user="check") as box:
        assert "refund" in box.state("rss:3").tags  # rss:1 was merged into rss:3
        assert "solo" in box.state("rss:2").tags  # rss:2 was split out: its own story
        assert "solo" not in box.state("rss:3").tags
