"""A refresh lists the day files with one scandir (`Partitions._day_signatures`, run
twice by every store call: `veille watch` makes one per source) and must see exactly
what `day_paths()` and a stat of each see: the same files in the same order, a temp
file a killed writer left, a damaged file set aside and a hidden file ignored, and a
day another process wrote found by the next refresh."""

from __future__ import annotations

import os
from datetime import timedelta

from store.files import file_signature
from store.inbox import Inbox
from tests.store.conftest import make_mention


def _listing(inbox: Inbox) -> list[tuple[object, object]]:
    return [(p, file_signature(p)) for p in inbox.files.day_paths()]


def test_the_listing_is_day_paths_and_their_signatures(tmp_path) -> None:
    root = tmp_path / "store"
    with Inbox.open(root, user="ana") as inbox:
        inbox.ingest([make_mention(i, hours_ago=1 + 11 * i) for i in range(12)])  # ~6 days
        folder = root / "mentions"
        (folder / ".2026-11-19.json.123.tmp-veille").write_text("{")  # a killed writer's
        (folder / "2026-11-01.json.damaged-20261102T000000").write_text("{")  # set aside
        (folder / ".hidden.json").write_text("{}")
        (folder / "notes.txt").write_text("x")
        assert len(inbox.files.day_paths()) >= 5
        assert inbox.files._day_signatures() == _listing(inbox)
        os.unlink(folder / "notes.txt")
        assert inbox.files._day_signatures() == _listing(inbox)


def test_a_day_written_by_another_process_is_seen_by_the_next_refresh(tmp_path) -> None:
    root = tmp_path / "store"
    with Inbox.open(root, user="ana") as mine, Inbox.open(root, user="bob") as theirs:
        mine.ingest([make_mention(i) for i in range(3)])
        assert theirs.refresh()
        assert len(theirs) == 3
        old = make_mention(99, hours_ago=24 * 40)  # a day file nobody had
        mine.ingest([old])
        assert not mine.refresh()  # its own write: nothing new to read
        assert theirs.refresh()
        assert theirs.mention(old.id) is not None
        assert not theirs.refresh(force=True)  # and then nothing changed
        later = make_mention(100, hours_ago=0)
        later.created_at += timedelta(seconds=1)
        mine.ingest([later])
        assert theirs.refresh(force=True)
        assert theirs.mention(later.id) is not None
