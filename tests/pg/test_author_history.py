"""The thread pane's author history on PostgreSQL comes from the author index
(`PgStore.author_mentions`), not from reading the whole archive into memory at warm-up:
the same history as the folder store's in-memory index, and the archive never read."""

from __future__ import annotations

import dataclasses

from tests.pg.backends import mention, open_store
from triage.config import Config
from triage.model import Author
from tui.app import VeilleApp


def _mentions():
    out = []
    for i in range(12):
        m = mention(i, platform="mastodon", hours=i)
        who = ("Ana", "@ana@masto.example") if i % 3 == 0 else ("Bob", f"@bob{i}@masto.example")
        out.append(dataclasses.replace(m, author=Author(*who)))
    return out


def _history(where) -> tuple[list[str], int]:
    with open_store(where, user="camille") as store:
        store.ingest(_mentions())
        store.add_reply("mastodon:3", "Bonjour Ana")
        reads = 0
        whole = store.all_mentions

        def counted():
            nonlocal reads
            reads += 1
            return whole()

        store.all_mentions = counted  # type: ignore[method-assign]
        app = VeilleApp(store, Config(user="camille"))
        app.build_author_index()  # what the inbox's warm-up runs in a worker
        history, replies = app.author_history(store.view("mastodon:0"))
        assert replies == [(replies[0][0], "Bonjour Ana")]
        return [m.id for m in history], reads


def test_the_author_history_is_the_same_and_the_database_reads_no_archive(tmp_path, pg_url):
    folder, folder_reads = _history(tmp_path / "store")
    database, database_reads = _history(pg_url)
    assert folder == database == ["mastodon:3", "mastodon:6", "mastodon:9"]  # newest first
    assert folder_reads == 1 and database_reads == 0
