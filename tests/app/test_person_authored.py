"""A person's record (`veille person`, the `p` pane) builds Mentions for their posts only
(issue 16: a million Mentions took seconds), and finds exactly the posts it found before:
the oracle is `triage.people.record` over every Mention `archive_mentions` builds.

Authors are real tweets' (../shared/data/twcs-sample.csv) plus hand-written records the
sanitising boundary changes or that fold to the same handle (case, a leading @, accents,
full-width letters, a control character, a name without a handle), on a store whose old
closed groups a hot window left on disk.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from app.people import person_record
from store.inbox import Inbox
from tests.realdata import twcs_sample
from triage.model import Author, Mention, Status
from triage.people import Person, handle_key, record

DATA = twcs_sample()
NOW = datetime(2017, 12, 3, tzinfo=UTC)
ODD = [  # (handle, name): each folds to "zoe" but the last one
    ("@Zoe", "Zoé"),
    ("ZOE", ""),
    ("", "zoé"),
    ("@ｚｏｅ", "full width"),
    ("@zo\u0301e", "decomposed"),
    ("z\x07oe", "bell"),
    ("@zoe\x1b[2J", "escape"),
    ("@zo e", "a space: not a handle"),
]


def _posts() -> list[Mention]:
    out = []
    if DATA is not None:
        with open(DATA, newline="", encoding="utf-8") as fh:
            tweets = [t for t in csv.DictReader(fh) if t["text"] and t["author_id"]][:1200]
        for n, t in enumerate(tweets):
            at = NOW - timedelta(days=60) + timedelta(minutes=70 * n)
            author = Author(t["author_id"], f"@{t['author_id']}")
            mid = f"twitter:{t['tweet_id']}"
            out.append(
                Mention(mid, "twitter", "twcs", f"https://x/{mid}", author, t["text"], at, at)
            )
    for n in range(12):  # the records the fixture rewrites by hand (the first days)
        at = NOW - timedelta(days=70, hours=n)
        mid = f"rss:fill{n}"
        out.append(
            Mention(mid, "rss", "blog", f"https://x/{mid}", Author("Fill", "@fill"), "yo", at, at)
        )
    for n, (handle, name) in enumerate(ODD):
        at = NOW - timedelta(days=50 - n)
        mid = f"rss:odd{n}"
        out.append(
            Mention(mid, "rss", "blog", f"https://x/{mid}", Author(name, handle), "hi", at, at)
        )
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("people") / "store"
    with Inbox.open(path, user="ana") as inbox:
        inbox.ingest(_posts())
        for gid in inbox.group_ids()[::4]:
            inbox.set_status(gid, Status.DONE)
    # authors written by hand (an import, an old version): the boundary cleans them
    days = {day: orjson.loads(day.read_bytes()) for day in sorted(path.glob("mentions/*.json"))}
    records = [r for data in days.values() for r in data["records"].values()]
    records = [r for r in records if r["id"].startswith("rss:fill")]
    assert len(records) == 12
    for first in records[0::2]:
        first["author"] = {"name": "Zo\x1b[1mé", "handle": "@ZOE\x07", "url": "\x00"}
    for second in records[1::2]:  # a handle the boundary empties: the name is the handle then
        second["author"] = {"name": "Zoe", "handle": "\x07\x1b[0m", "url": ""}
    for day, data in days.items():
        day.write_bytes(orjson.dumps(data))
    return path


HANDLES = ["@zoe", "ZOÉ", "@115712", "@AppleSupport", "@nobody-at-all"]


@pytest.mark.parametrize("hot", [False, True], ids=["indexed", "hot-window"])
def test_a_person_record_finds_the_posts_it_found_before(store: Path, hot: bool) -> None:
    kw = {"defer": True, "hot_days": 5, "hot_min_bytes": 0} if hot else {}
    with Inbox.open(store, user="ana", **kw) as inbox:  # type: ignore[arg-type]
        if hot:
            inbox.finish_loading()
            assert inbox.cold is not None  # old closed groups left on disk, read back
        for handle in HANDLES:
            person = Person((handle_key(handle),))
            expected = record(person, inbox.archive_mentions(), inbox.state)
            got = person_record(inbox, handle)
            assert got == expected, handle
    with Inbox.open(store, user="ana") as inbox:
        zoe = person_record(inbox, "@zoe")
        assert len(zoe.mentions) >= 5 + 6  # the odd authors that fold to zoe, hand-written
        if DATA is not None:
            assert person_record(inbox, "@AppleSupport").mentions
