"""An ingest spanning several days indexes its ids once (`IdIndex.record_days`: each
shard file appended once) with the very bytes one `record` per day wrote, and a
scripted action finds every id after an ingest killed between two day files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from store.ids import IdIndex
from store.inbox import Inbox
from store.scripted import ScriptedStore
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


def _posts(count: int, start: int = 0) -> list[Mention]:
    out = []
    for n in range(start, start + count):
        at = T0 + timedelta(minutes=37 * n)  # ~4 days for 150 posts
        text = f"post {n}: the lamp {n % 7} broke" if n % 5 else "Lumio lamp broke again today"
        out.append(
            Mention(
                id=f"rss:{n}", platform="rss", source="feed", url=f"https://f.example/{n}",
                author=Author(name="bob", handle="@bob"), text=text, created_at=at,
                fetched_at=T0 + timedelta(days=5),
            )
        )  # fmt: skip
    return out


def _ids_files(store: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted((store / "ids").glob("*.jsonl"))
        if not p.name.startswith(".")
    }


def test_several_days_are_indexed_with_the_bytes_of_one_record_per_day(tmp_path):
    store = tmp_path / "store"
    with Inbox.open(store, user="bot") as inbox:
        assert len(inbox.ingest(_posts(150))) == 150
        assert len(inbox.ingest(_posts(60, start=150))) == 60  # days already there
    days = sorted((store / "mentions").glob("*.json"))
    assert len(days) >= 4
    # the same day files, indexed the old way: one `record` per day, in order
    again = tmp_path / "again"
    shutil.copytree(store / "mentions", again / "mentions")
    ids = IdIndex(again, lambda problem: None)
    for batch in (_posts(150), _posts(60, start=150)):
        for day in days:
            rows = [m.to_json() for m in batch if f"{m.created_at:%Y-%m-%d}.json" == day.name]
            if rows:
                ids.record(again / "mentions" / day.name, None, rows)
    assert _ids_files(store) == _ids_files(again)
    covered = orjson.loads((store / "ids" / "covered.json").read_bytes())
    assert sorted(covered["days"]) == [d.name for d in days]
    with ScriptedStore.open(store, user="bot") as scripted:
        for m in _posts(210):
            assert scripted.ids.group_of(m.id) is not None


_CHILD = """
import sys
sys.path.insert(0, {root!r})
from store.inbox import Inbox
from tests.store.test_ids_days import _posts
with Inbox.open({store!r}, user="bot") as inbox:
    inbox.ingest(_posts(150))
"""


def test_ids_of_an_ingest_killed_between_two_days_are_all_found(tmp_path):
    store = tmp_path / "store"
    env = dict(os.environ, VEILLE_CRASH_AT="mid-ingest@2")  # after the second day's file
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT), store=str(store))],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == -9, done.stderr
    written = sorted((store / "mentions").glob("*.json"))
    assert len(written) == 2  # two days stored, the id index told of none
    with Inbox.open(store, user="bot") as inbox:
        stored = sorted(inbox.index.raw)
    assert stored
    with ScriptedStore.open(store, user="bot") as scripted:
        assert all(scripted.ids.group_of(mid) is not None for mid in stored)
        scripted.tag(stored[-1], add=["seen"])  # a scripted action on the last one
    with Inbox.open(store, user="bot") as inbox:
        assert "seen" in inbox.state(inbox.resolve(stored[-1])).tags
