"""The search vocabulary built while new copies arrive is not kept as current.

`veille fetch` or the inbox's own poller can ingest on one thread while another builds the
folded text index and its vocabulary (the filter's worker, a report). Built from the
groups as they were, that index lacks the new groups; kept as the store's current one, a
search for a word only the new posts have would find nothing until the next ingest."""

from __future__ import annotations

import store.index
from store.inbox import Inbox

from .conftest import make_mention


def test_an_index_built_across_an_ingest_is_not_kept(store_dir, mentions, monkeypatch) -> None:
    with Inbox.open(store_dir, user="t") as inbox:
        inbox.ingest(mentions)
        real = store.index.TextIndex
        arrived = []

        def built_while_a_post_arrives(rows):  # another thread's ingest, mid-build
            rows = list(rows)
            if not arrived:
                arrived.append(inbox.ingest([make_mention(900, text="Zorblatt lamp exploded")]))
            return real(rows)

        monkeypatch.setattr(store.index, "TextIndex", built_while_a_post_arrives)
        inbox.vocabulary()  # the one being built when the post arrived
        monkeypatch.setattr(store.index, "TextIndex", real)
        assert arrived and arrived[0]
        assert "zorblatt" in inbox.vocabulary()  # built again, with the new group
        assert [v.leader.id for v in inbox.groups("zorblatt")] == ["rss:900"]
