"""Issue 18 item 1: a redo by a long-lived process never writes from a stale copy."""

from __future__ import annotations

from store.inbox import Inbox
from store.partitions import bucket_of

from .helpers import seed, show_state, veille


def _targets_in_other_buckets(inbox: Inbox) -> tuple[str, str]:
    ids = sorted(inbox.group_ids())
    y = ids[0]
    x = next(g for g in ids if bucket_of(g) != bucket_of(y))
    return x, y


def test_open_inbox_keeps_an_acknowledged_tag_after_a_third_writer_dies(tmp_path):
    store = tmp_path / "store"
    seed(store)
    with Inbox.open(store, user="tui") as long_lived:
        x, y = _targets_in_other_buckets(long_lived)
        long_lived.state(y)  # the open inbox has read Y before the others write
        acked = veille(store, "tag", y, "b-acked")
        assert acked.returncode == 0, acked.stderr
        killed = veille(store, "tag", x, "c-lost", crash="after-journal")
        assert killed.returncode == -9, killed.stderr  # died between journal and state
        long_lived.tag(y, add=["tui-tag"])
    tags = show_state(store, y)["tags"]
    assert "b-acked" in tags and "tui-tag" in tags
    assert "c-lost" in show_state(store, x)["tags"]  # the journaled action was redone


def test_a_long_lived_writer_rereads_a_state_file_even_without_the_generation_hint(tmp_path):
    store = tmp_path / "store"
    seed(store)
    with Inbox.open(store, user="tui") as long_lived:
        x, y = _targets_in_other_buckets(long_lived)
        assert veille(store, "tag", y, "b-acked").returncode == 0
        assert veille(store, "tag", x, "later").returncode == 0  # the journal's tail is X
        (store / "generation").write_text(str(long_lived._seen_generation))  # a lost hint
        long_lived.note(y, "seen it")
    state = show_state(store, y)
    assert "b-acked" in state["tags"]
