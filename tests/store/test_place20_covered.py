"""The id index's covered.json is written in place, not renamed over (a rename costs
~2-12 ms on ext4, on every store call): a write torn by a crash leaves the new bytes
over the old ones. Whatever the tear, the index reads either the old file, the new
one, or nothing (then the next lookup indexes the days again), and a scripted action
still finds every id."""

from __future__ import annotations

import orjson

from store.ids import COVERED, IdIndex
from store.inbox import Inbox
from store.scripted import ScriptedStore
from tests.store.conftest import make_mention


def _covered(root) -> bytes:
    return (root / "ids" / COVERED).read_bytes()


def test_every_tear_of_covered_reads_as_old_new_or_nothing(tmp_path) -> None:
    root = tmp_path / "store"
    with Inbox.open(root, user="ana") as inbox:
        inbox.ingest([make_mention(i, hours_ago=1 + 3 * i) for i in range(30)])
        old = _covered(root)
        index = IdIndex(root, lambda problem: None)
        before = index._load_covered()
        inbox.ingest([make_mention(100 + i, hours_ago=0.5 + 7 * i) for i in range(30)])
        new = _covered(root)
        after = index._load_covered()
    assert before != after and before["days"] and after["days"]
    assert new.startswith(b'{"sum":')
    seen = set()
    for k in range(len(new) + 1):
        torn = new[:k] + old[k:]  # what a crash after k bytes written in place leaves
        (root / "ids" / COVERED).write_bytes(torn)
        got = index._load_covered()
        assert got in (before, after, {"days": {}, "shards": {}}), k
        seen.add("old" if got == before else "new" if got == after else "none")
    assert seen == {"old", "new", "none"}
    # a torn one in place: every id is still found (the days are indexed again)
    (root / "ids" / COVERED).write_bytes(new[: len(new) // 2] + old[len(new) // 2 :])
    with ScriptedStore.open(root, user="bot") as scripted:
        for i in [*range(30), *range(100, 130)]:
            assert scripted.ids.group_of(f"rss:{i}") is not None


def test_a_covered_file_of_an_older_veille_is_read(tmp_path) -> None:
    root = tmp_path / "store"
    with Inbox.open(root, user="ana") as inbox:
        inbox.ingest([make_mention(i) for i in range(5)])
    index = IdIndex(root, lambda problem: None)
    current = index._load_covered()
    (root / "ids" / COVERED).write_bytes(orjson.dumps(current))  # no "sum": written whole
    assert index._load_covered() == current
