"""Reports count stories as people fixed them: merges and splits, on both backends.

A community manager who merges two stories about one outage expects the report to count
one story, whose clock starts at its first post and stops at the first answer any part of
it got; a copy split out is a story of its own. Before, reports grouped by the pipeline's
`group_id` and counted a merged story twice (with two response times).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.reports import make_report
from store.inbox import Inbox
from store.postgres import PgStore
from triage.config import Config
from triage.model import Author, Mention, utcnow
from triage.report import Period, Report

START = utcnow().replace(microsecond=0) - timedelta(hours=10)
OUTAGE = "lumio app down again, cannot log in"


def post(mid: str, minutes: int, group: str = "", text: str = OUTAGE) -> Mention:
    at = START + timedelta(minutes=minutes)
    return Mention(
        id=mid, platform=mid.split(":")[0], source="src", url=f"https://example.org/{mid}",
        author=Author(f"author {mid}", f"@{mid.replace(':', '')}"), text=text,
        created_at=at, fetched_at=at, brands=("Lumio",), group_id=group or mid, priority=20.0,
    )  # fmt: skip


POSTS = [
    post("rss:a1", 0),
    post("mastodon:a2", 60, group="rss:a1"),
    post("rss:b1", 30),
    post("rss:c1", 120, text="love the new lumio lamp"),
]


def open_store(where, user="camille"):
    if isinstance(where, str):
        return PgStore.open(where, user=user)
    return Inbox.open(where, user=user)


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    path = tmp_path / "store" if request.param == "folder" else request.getfixturevalue("pg_url")
    with open_store(path) as s:
        s.ingest(POSTS)
        s.add_reply("rss:b1", "We're on it", manual=True)  # the first answer: to b
        s.add_reply("rss:a1", "Fixed soon", manual=True)
    return path


def report(where) -> Report:
    now = utcnow()
    with open_store(where) as s:
        return make_report(s, Config(user="camille"), Period(START - timedelta(hours=1), now), now)


def first_replies(where) -> dict[str, object]:
    with open_store(where) as s:
        return {e.target: e.at for e in s.events() if e.action == "reply"}


def sizes(r: Report) -> dict[str, int]:
    return {row[0]: row[1] for row in r.table("top_stories").rows}


def test_a_merged_story_counts_once_and_its_clock_stops_at_its_first_answer(where):
    before = report(where)
    assert before.figure("Stories") == 3
    assert before.figure("Answered stories") == 2
    replies = first_replies(where)
    with open_store(where) as s:
        s.merge("rss:a1", ["rss:b1"])
    after = report(where)
    assert after.figure("Mentions") == 4  # volume is per mention: unchanged
    assert after.figure("Stories") == 2
    assert sizes(after) == {"rss:a1": 3, "rss:c1": 1}
    assert after.figure("Answered stories") == 1
    # from the story's first post (a1, at START) to the first answer any part got (b's)
    expected = (replies["rss:b1"] - START).total_seconds()
    assert after.figure("Median time to first response") == pytest.approx(expected, abs=1e-3)
    person = after.table("response_by_person")
    assert sum(row[1] for row in person.rows) == 1  # one story answered, not two
    assert after.table("volume_by_platform").rows == before.table("volume_by_platform").rows


def test_a_split_copy_is_a_story_of_its_own_and_undo_restores_the_grouping(where):
    with open_store(where) as s:
        s.split("mastodon:a2")
    split = report(where)
    assert split.figure("Stories") == 4
    assert sizes(split) == {"rss:a1": 1, "mastodon:a2": 1, "rss:b1": 1, "rss:c1": 1}
    assert split.figure("Answered stories") == 2  # a2 heads a new story nobody answered
    with open_store(where) as s:
        s.merge("rss:a1", ["rss:b1", "mastodon:a2"])
    merged = report(where)
    assert sizes(merged) == {"rss:a1": 3, "rss:c1": 1}
    with open_store(where) as s:
        assert s.undo() is not None  # the merge (one step)
        assert s.undo() is not None  # the split
    back = report(where)
    assert back.figure("Stories") == 3
    assert sizes(back) == {"rss:a1": 2, "rss:b1": 1, "rss:c1": 1}
    assert back.figure("Answered stories") == 2


def test_a_hand_off_on_a_story_merged_later_counts_once(where):
    with open_store(where) as s:
        s.handoff("rss:c1", "sav", "call them")
        s.merge("rss:a1", ["rss:c1"])
    r = report(where)
    assert r.figure("Stories") == 2
    assert r.figure("Hand-offs") == 1
    assert [row[0] for row in r.table("handoffs").rows] == ["sav"]
