"""Crash injection (VEILLE_CRASH_AT): every scripted action killed at every write step.

Model-based: the test keeps what each command acknowledged (exit 0) and what a killed
command had made durable (its journal line), then checks the store holds exactly that,
with a long-lived writer (an open Inbox, as the TUI or `veille watch` hold one) acting
between the others. A killed action whose journal line is durable is redone by the next
writer, so it is expected too; nothing acknowledged may ever be missing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.inbox import Inbox
from store.partitions import bucket_of

from .helpers import ROOT, env_for, mention, seed, veille

STORE_POINTS = ("after-journal", "after-state")
ACTIONS = ("tag", "status", "assign", "note", "undo")


class Model:
    """What the store must hold: per target, tags present/absent, status, assignee, notes."""

    def __init__(self) -> None:
        self.want: dict[str, dict] = {}

    def of(self, target: str) -> dict:
        return self.want.setdefault(
            target, {"tags": set(), "gone": set(), "status": None, "assignee": None, "notes": set()}
        )

    def tag(self, target: str, tag: str) -> None:
        self.of(target)["tags"].add(tag)
        self.of(target)["gone"].discard(tag)

    def untag(self, target: str, tag: str) -> None:
        self.of(target)["tags"].discard(tag)
        self.of(target)["gone"].add(tag)

    def check(self, store: Path) -> None:
        with Inbox.open(store, user="checker") as inbox:
            assert inbox.problems == []
            for target, want in self.want.items():
                state = inbox.state(target)
                assert want["tags"] <= set(state.tags), (target, state.tags)
                assert not (want["gone"] & set(state.tags)), (target, state.tags)
                if want["status"]:
                    assert state.status.value == want["status"], target
                if want["assignee"]:
                    assert state.assignee == want["assignee"], target
                texts = {n.text for n in state.notes}
                assert want["notes"] <= texts, (target, texts)


def _act(
    model: Model, store: Path, action: str, target: str, n: int, user: str, crash: str | None = None
) -> None:
    """Run one `veille` action (killed at `crash` if given) and record what it made durable."""
    if action == "undo":
        tag = f"{user}-undone-{n}"
        assert veille(store, "tag", target, tag, user=user).returncode == 0
        model.tag(target, tag)
        proc = veille(store, "undo", user=user, crash=crash)
        if proc.returncode > 0 and "changed it since" in proc.stderr:
            return  # refused, rightly: another writer changed the tags meanwhile (kept)
        model.untag(target, tag)
    elif action == "tag":
        proc = veille(store, "tag", target, f"{user}-{n}", user=user, crash=crash)
        model.tag(target, f"{user}-{n}")
    elif action == "status":
        status = ("open", "waiting", "done")[n % 3]
        proc = veille(store, "status", target, status, user=user, crash=crash)
        model.of(target)["status"] = status
    elif action == "assign":
        proc = veille(store, "assign", target, f"{user}{n}", user=user, crash=crash)
        model.of(target)["assignee"] = f"{user}{n}"
    else:
        proc = veille(store, "note", target, f"note {user} {n}", user=user, crash=crash)
        model.of(target)["notes"].add(f"note {user} {n}")
    if crash:
        assert proc.returncode == -9, (crash, proc.stdout, proc.stderr)
        assert not proc.stdout  # killed before it could acknowledge anything
    else:
        assert proc.returncode == 0, proc.stderr


def _pairs(inbox: Inbox) -> list[tuple[str, str]]:
    """(x, y) targets in different state files, so a redo of x must not clobber y."""
    ids = sorted(inbox.group_ids())
    pairs = []
    for y in ids:
        x = next(g for g in ids if bucket_of(g) != bucket_of(y) and g != y)
        pairs.append((x, y))
    return pairs


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_killed_at_every_point_loses_nothing_acknowledged(tmp_path, action):
    store = tmp_path / "store"
    seed(store)
    model = Model()
    with Inbox.open(store, user="tui") as long_lived:
        pairs = _pairs(long_lived)
        for n, point in enumerate(STORE_POINTS):
            x, y = pairs[n * 3]
            long_lived.state(y)  # the long-lived copy of Y, about to be stale
            _act(model, store, action, y, n, "b")  # acknowledged by another process
            _act(model, store, action, x, n, "c", crash=point)  # killed at `point`
            long_lived.tag(y, add=[f"tui-{n}"])  # redoes X, must re-read Y
            model.tag(y, f"tui-{n}")
            long_lived.note(x, f"tui note {n}")
            model.of(x)["notes"].add(f"tui note {n}")
            model.check(store)
    undone = veille(store, "undo", user="tui")  # undo still sees the right last action
    assert undone.returncode == 0, undone.stderr
    model.of(x)["notes"].discard(f"tui note {len(STORE_POINTS) - 1}")
    model.check(store)


def _ingest(store: Path, first: int, count: int, crash: str | None = None):
    return subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("ingest_actor.py")),
            str(store),
            str(first),
            str(count),
        ],
        capture_output=True,
        text=True,
        env=env_for(store, "poller", crash),
        cwd=ROOT,
        timeout=60,
    )


def _stored_ids(store: Path) -> list[str]:
    ids = []
    for path in sorted((store / "mentions").glob("*.json")):
        ids += [r["id"] for r in json.loads(path.read_text())["records"].values()]
    return ids


@pytest.mark.parametrize("crash", ["mid-ingest@1", "mid-ingest@2", "mid-ingest@3"])
def test_an_ingest_killed_midway_loses_and_duplicates_nothing(tmp_path, crash):
    store = tmp_path / "store"
    seed(store, 5)
    with Inbox.open(store, user="tui") as long_lived:
        killed = _ingest(store, 100, 30, crash=crash)
        assert killed.returncode == -9, killed.stderr
        # the long-lived process fetches the same items (the killed one never said ok)
        fresh = long_lived.ingest([mention(i, day=20 + i % 3) for i in range(100, 130)])
        again = _ingest(store, 100, 30)
        assert again.stdout.strip() == "ingested 0", again.stderr
    ids = _stored_ids(store)
    assert len(ids) == len(set(ids)) == 35  # none lost, none stored twice
    assert len(fresh) < 30  # what the killed process had stored is known, not new again
    with Inbox.open(store, user="checker") as inbox:
        assert len(inbox) == 35 and inbox.problems == []


def test_an_item_known_by_its_previous_id_is_not_stored_again(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    renamed = dataclasses.replace(mention(1), id="rss:feed/1", extra={"previous_id": "rss:1"})
    with Inbox.open(store, user="poller") as inbox:
        assert inbox.ingest([renamed]) == []
        assert len(inbox) == 3
        assert [
            m.id for m in inbox.ingest([dataclasses.replace(renamed, id="rss:feed/9", extra={})])
        ]


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("VEILLE_CRASH_LONG"), reason="the long variant: VEILLE_CRASH_LONG=1"
)
@pytest.mark.parametrize("action", ACTIONS)
def test_crashes_among_a_busy_background_writer_lose_nothing(tmp_path, action):
    """The same with a third process tagging in a loop all along (its acks checked too)."""
    store = tmp_path / "store"
    seed(store)
    model = Model()
    background = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "store" / "actor.py"), str(store), "bg", "3", "400"],
        stdout=subprocess.PIPE,
        text=True,
        env=env_for(store, "bg"),
        cwd=ROOT,
    )
    try:
        with Inbox.open(store, user="tui") as long_lived:
            pairs = _pairs(long_lived)
            for n in range(6):
                point = STORE_POINTS[n % 2]
                x, y = pairs[n * 2]
                long_lived.state(y)
                _act(model, store, action, y, n, "b")
                _act(model, store, action, x, n, "c", crash=point)
                long_lived.tag(y, add=[f"tui-{n}"])
                model.tag(y, f"tui-{n}")
    finally:
        out, _ = background.communicate(timeout=120)
    for line in out.splitlines():
        _, target, tag = line.split()
        model.tag(target, tag)
    model.check(store)
