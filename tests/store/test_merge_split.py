"""Merge and split in the folder store: journaled, undoable, kept across restarts and
refetches, and respected by the grouping of copies that arrive later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.inbox import Inbox
from triage.config import BrandConfig
from triage.errors import Conflict
from triage.model import Author, Mention, utcnow
from triage.pipeline import Pipeline

BATTERY = "the lumio glow battery died after two days and support never answered my emails"
SCREEN = "lumio glow screen cracked on the first week and the shop refuses the warranty claim"
START = utcnow() - timedelta(hours=5)


def post(n: int, text: str, minutes: int) -> Mention:
    at = START + timedelta(minutes=minutes)
    return Mention(
        id=f"rss:{n}", platform="rss", source="feed", url=f"https://blog.example/{n}",
        author=Author(name=f"author{n}"), text=text, created_at=at, fetched_at=at,
    )  # fmt: skip


def pipeline() -> Pipeline:
    return Pipeline([BrandConfig(name="Lumio", keywords=("lumio",))])


def open_store(path, user="camille") -> Inbox:
    return Inbox.open(path, user=user, pipeline=pipeline())


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with open_store(path) as inbox:
        inbox.ingest([post(1, BATTERY, 0), post(2, BATTERY + " again", 1), post(3, SCREEN, 2)])
        assert inbox.resolve("rss:2") == "rss:1"
        assert inbox.resolve("rss:3") == "rss:3"
    return path


def stories(inbox: Inbox) -> dict[str, list[str]]:
    return {g: [m.id for m in inbox.group(g)] for g in sorted(inbox.group_ids())}


def test_merge_joins_two_stories_and_survives_restart_refetch_and_undo(store_path):
    with open_store(store_path) as inbox:
        inbox.merge("rss:1", ["rss:3"])
        assert stories(inbox) == {"rss:1": ["rss:1", "rss:2", "rss:3"]}
        assert inbox.resolve("rss:3") == "rss:1"
        assert inbox.view("rss:1").size == 3
        assert [e.action for e in inbox.events()][-1] == "merge"
    with open_store(store_path) as inbox:  # a restart
        assert stories(inbox) == {"rss:1": ["rss:1", "rss:2", "rss:3"]}
        # a refetch of the same posts changes nothing; a new copy of the merged-away
        # story lands in the merged one
        assert inbox.ingest([post(3, SCREEN, 2)]) == []
        new = inbox.ingest([post(4, SCREEN + " still", 30)])
        assert new[0].group_id == "rss:3"  # the pipeline's own decision, kept as is
        assert inbox.resolve("rss:4") == "rss:1"
        assert stories(inbox) == {"rss:1": ["rss:1", "rss:2", "rss:3", "rss:4"]}
        undone = inbox.undo()
        assert undone is not None and undone.action == "merge"
        assert stories(inbox) == {
            "rss:1": ["rss:1", "rss:2"],
            "rss:3": ["rss:3", "rss:4"],
        }
    with open_store(store_path) as inbox:
        assert inbox.resolve("rss:4") == "rss:3"


def test_split_copy_takes_its_later_copies_along(store_path):
    with open_store(store_path) as inbox:
        inbox.split("rss:2")
        assert stories(inbox) == {"rss:1": ["rss:1"], "rss:2": ["rss:2"], "rss:3": ["rss:3"]}
        # a near-duplicate of the split copy follows it, not the old story
        inbox.ingest([post(5, BATTERY + " again!!", 40)])
        assert inbox.resolve("rss:5") == "rss:2"
    with open_store(store_path) as inbox:  # restart: the pipeline is seeded afresh
        assert inbox.resolve("rss:5") == "rss:2"
        inbox.ingest([post(6, BATTERY + " again?", 50)])
        assert inbox.resolve("rss:6") in ("rss:1", "rss:2")
        assert inbox.undo() is not None  # the split
        assert stories(inbox)["rss:1"][:3] == ["rss:1", "rss:2", "rss:5"]
        assert "rss:2" not in inbox.group_ids()


def test_the_story_itself_cannot_be_split_and_a_merged_story_splits_back(store_path):
    with open_store(store_path) as inbox:
        with pytest.raises(Conflict):
            inbox.split("rss:1")
        with pytest.raises(Conflict):
            inbox.merge("rss:1", ["rss:2"])  # already one story
        inbox.merge("rss:3", ["rss:1"])
        assert stories(inbox) == {"rss:3": ["rss:1", "rss:2", "rss:3"]}
        inbox.split("rss:1")  # the story merged in leaves with its copies
        assert stories(inbox) == {"rss:1": ["rss:1", "rss:2"], "rss:3": ["rss:3"]}


def test_another_process_sees_a_merge_on_refresh(store_path):
    with open_store(store_path, "camille") as one, open_store(store_path, "sam") as two:
        one.merge("rss:1", ["rss:3"])
        assert two.refresh()
        assert two.ranked_ids() == ["rss:1"]
        assert two.undo() is None  # sam has nothing to undo: camille merged
        one.undo()
        two.refresh()
        assert sorted(two.ranked_ids()) == ["rss:1", "rss:3"]
