"""Merge and split on both backends (the folder store and PostgreSQL): journaled,
undoable, kept across restarts and refetches, seen by another process, and respected
by the placement of copies that arrive later. The folder store's own tests
(tests/store/test_merge_split.py), run on each backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.inbox import Inbox
from store.postgres import PgStore
from triage import query
from triage.config import BrandConfig
from triage.errors import Conflict, NotFound
from triage.model import Author, Mention, utcnow
from triage.pipeline import Pipeline
from triage.query import InboxQuery

BATTERY = "the lumio glow battery died after two days and support never answered my emails"
SCREEN = "lumio glow screen cracked on the first week and the shop refuses the warranty claim"
START = utcnow() - timedelta(hours=5)


def post(n: int, text: str, minutes: int, author: str = "") -> Mention:
    at = START + timedelta(minutes=minutes)
    return Mention(
        id=f"rss:{n}", platform="rss", source="feed", url=f"https://blog.example/{n}",
        author=Author(name=author or f"author{n}"), text=text, created_at=at, fetched_at=at,
    )  # fmt: skip


def open_store(where, user="camille"):
    pipe = Pipeline([BrandConfig(name="Lumio", keywords=("lumio",))])
    if isinstance(where, str):
        return PgStore.open(where, user=user, pipeline=pipe)
    return Inbox.open(where, user=user, pipeline=pipe)


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    path = tmp_path / "store" if request.param == "folder" else request.getfixturevalue("pg_url")
    with open_store(path) as s:
        s.ingest([post(1, BATTERY, 0), post(2, BATTERY + " again", 1), post(3, SCREEN, 2)])
        assert s.resolve("rss:2") == "rss:1"
        assert s.resolve("rss:3") == "rss:3"
    return path


def stories(s) -> dict[str, list[str]]:
    return {g: [m.id for m in s.group(g)] for g in sorted(s.group_ids())}


def listed(s, text=""):
    return query.run(s, InboxQuery.parse(text, True), utcnow())


def test_merge_joins_two_stories_and_survives_restart_refetch_and_undo(where):
    with open_store(where) as s:
        s.merge("rss:1", ["rss:3"])
        assert stories(s) == {"rss:1": ["rss:1", "rss:2", "rss:3"]}
        assert s.resolve("rss:3") == "rss:1"
        assert s.view("rss:1").size == 3
        assert s.view("rss:3").group_id == "rss:1"  # a merged-away id finds its story
        assert listed(s) == ["rss:1"]
        assert listed(s, "screen cracked") == ["rss:1"]  # the story's text is its copies'
        assert [e.action for e in s.events()][-1] == "merge"
    with open_store(where) as s:  # a restart
        assert stories(s) == {"rss:1": ["rss:1", "rss:2", "rss:3"]}
        # a refetch of the same posts changes nothing; a new copy of the merged-away
        # story lands in the merged one
        assert s.ingest([post(3, SCREEN, 2)]) == []
        new = s.ingest([post(4, SCREEN + " still", 30)])
        assert new[0].group_id == "rss:3"  # the pipeline's own decision, kept as is
        assert s.resolve("rss:4") == "rss:1"
        assert stories(s) == {"rss:1": ["rss:1", "rss:2", "rss:3", "rss:4"]}
        assert s.view("rss:1").size == 4
        undone = s.undo()
        assert undone is not None and undone.action == "merge"
        assert stories(s) == {"rss:1": ["rss:1", "rss:2"], "rss:3": ["rss:3", "rss:4"]}
        assert sorted(listed(s)) == ["rss:1", "rss:3"]
        assert listed(s, "screen cracked") == ["rss:3"]
        assert s.view("rss:1").size == 2
    with open_store(where) as s:
        assert s.resolve("rss:4") == "rss:3"


def test_split_copy_takes_its_later_copies_along(where):
    with open_store(where) as s:
        s.split("rss:2")
        assert stories(s) == {"rss:1": ["rss:1"], "rss:2": ["rss:2"], "rss:3": ["rss:3"]}
        # a near-duplicate of the split copy follows it, not the old story
        s.ingest([post(5, BATTERY + " again!!", 40)])
        assert s.resolve("rss:5") == "rss:2"
        assert s.view("rss:2").size == 2
    with open_store(where) as s:  # restart: the pipeline is seeded afresh
        assert s.resolve("rss:5") == "rss:2"
        s.ingest([post(6, BATTERY + " again?", 50)])
        assert s.resolve("rss:6") in ("rss:1", "rss:2")
        assert s.undo() is not None  # the split
        assert stories(s)["rss:1"][:3] == ["rss:1", "rss:2", "rss:5"]
        assert "rss:2" not in s.group_ids()
        assert s.view("rss:1").size == len(stories(s)["rss:1"])


def test_the_story_itself_cannot_be_split_and_a_merged_story_splits_back(where):
    with open_store(where) as s:
        with pytest.raises(Conflict):
            s.split("rss:1")
        with pytest.raises(Conflict):
            s.merge("rss:1", ["rss:2"])  # already one story
        with pytest.raises(NotFound):
            s.split("rss:99")
        s.merge("rss:3", ["rss:1"])
        assert stories(s) == {"rss:3": ["rss:1", "rss:2", "rss:3"]}
        s.split("rss:1")  # the story merged in leaves with its copies
        assert stories(s) == {"rss:1": ["rss:1", "rss:2"], "rss:3": ["rss:3"]}


def test_merges_chain_and_undo_unwinds_them_in_order(where):
    with open_store(where) as s:
        s.ingest([post(7, "a completely different topic about lumio shipping delays", 3)])
        s.merge("rss:3", ["rss:7"])
        s.merge("rss:1", ["rss:3"])  # rss:7 follows rss:3 into rss:1
        assert stories(s) == {"rss:1": ["rss:1", "rss:2", "rss:3", "rss:7"]}
        assert s.resolve("rss:7") == "rss:1"
        s.undo()
        assert stories(s) == {"rss:1": ["rss:1", "rss:2"], "rss:3": ["rss:3", "rss:7"]}
        s.undo()
        assert len(stories(s)) == 3


def test_a_story_keeps_its_triage_state_and_the_merged_one_comes_back_with_its_own(where):
    with open_store(where) as s:
        s.tag("rss:3", add=["screen"])
        s.merge("rss:1", ["rss:3"])
        assert s.view("rss:1").state.tags == ()
        s.tag("rss:3", add=["after"])  # a copy's id acts on the story it is in
        assert s.view("rss:1").state.tags == ("after",)
        s.undo()
        s.undo()
        assert s.view("rss:3").state.tags == ("screen",)


def test_another_process_sees_a_merge_on_refresh(where):
    with open_store(where, "camille") as one, open_store(where, "sam") as two:
        assert two.resolve("rss:3") == "rss:3" and two.view("rss:3").size == 1  # cached
        one.merge("rss:1", ["rss:3"])
        assert two.refresh()
        assert two.ranked_ids() == ["rss:1"]
        assert two.resolve("rss:3") == "rss:1"
        assert two.view("rss:1").size == 3
        assert two.undo() is None  # sam has nothing to undo: camille merged
        one.undo()
        two.refresh()
        assert sorted(two.ranked_ids()) == ["rss:1", "rss:3"]
        assert two.resolve("rss:3") == "rss:3"


def test_a_store_of_schema_2_is_upgraded_and_merges(pg_url):
    """A database an older veille wrote (schema 2, no corrections column, no people
    table) takes migration 3 at the next start, its archive kept, and then merges."""
    import psycopg

    from store.postgres.schema import MIGRATIONS

    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE schema_migrations (version int PRIMARY KEY, applied_at "
                     "timestamptz NOT NULL DEFAULT now())")  # fmt: skip
        for version, sql in enumerate(MIGRATIONS[:2], start=1):
            conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
        conn.execute(
            "INSERT INTO mentions (id, group_id, created_at, record) VALUES (%s, %s, %s, %s)",
            ("rss:1", "rss:1", START, psycopg.types.json.Jsonb(post(1, BATTERY, 0).to_json())),
        )
        conn.execute(
            "INSERT INTO groups (group_id, priority, last_at, size, brands, platforms, "
            "haystack, authors, signals, gen) VALUES ('rss:1', 0, %s, 1, '{}', '{rss}', "
            "'battery', 'author1', '', 1)",
            (START,),
        )
        conn.execute("UPDATE veille_meta SET mentions = 1, generation = 1")
    with open_store(pg_url) as s:
        s.ingest([post(3, SCREEN, 2)])
        assert sorted(s.ranked_ids()) == ["rss:1", "rss:3"]
        s.merge("rss:1", ["rss:3"])
        assert stories(s) == {"rss:1": ["rss:1", "rss:3"]}
    with psycopg.connect(pg_url) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
        assert versions[:3] == [1, 2, 3]
