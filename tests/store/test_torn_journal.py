"""A journal line torn by a kill (SIGKILL can cut a write at a page boundary) was never
acknowledged: the next writer cuts it off instead of leaving a damaged line that every
command would then report (found by test_reliability's kill -9 rounds)."""

from __future__ import annotations

import json

from store.inbox import Inbox

from .conftest import make_mention


def test_a_torn_tail_is_cut_off_by_the_next_action(tmp_path):
    store = tmp_path / "store"
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest([make_mention(i, platform="rss") for i in range(3)])
        inbox.tag("rss:0", ["kept"])
    journal = sorted((store / "journal").glob("*.jsonl"))[-1]
    whole = journal.read_bytes()
    torn = b'{"id": "' + b"x" * 70_000  # longer than one read-back block, no newline
    journal.write_bytes(whole + torn)
    with Inbox.open(store, user="ana") as inbox:
        inbox.tag("rss:1", ["after"])
    with Inbox.open(store, user="check") as inbox:
        assert inbox.problems == []
        assert "kept" in inbox.state("rss:0").tags and "after" in inbox.state("rss:1").tags
    data = journal.read_bytes()
    assert data.startswith(whole) and torn not in data
    for line in data.splitlines():
        json.loads(line)  # every line whole
