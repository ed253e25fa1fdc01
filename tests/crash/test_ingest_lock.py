"""Issue 18 item 6: a large fetch enriches and groups outside the store lock, so a
`veille tag` meanwhile neither waits for it nor gives up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from store.inbox import Inbox
from triage.model import Mention

from .helpers import mention, seed, veille

SLOW = 4.0


class SlowPipeline:
    """Enrichment that takes as long as grouping a very large fetch does."""

    def seed(self, mentions: Iterable[Mention]) -> None:
        pass

    def process(self, m: Mention) -> Mention:
        time.sleep(SLOW / 50)
        return m


def test_a_tag_during_a_long_ingest_does_not_wait_for_it(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    fetcher = Inbox.open(store, user="poller", pipeline=SlowPipeline())
    stored: list[Mention] = []
    ingest = threading.Thread(
        target=lambda: stored.extend(fetcher.ingest([mention(i) for i in range(100, 150)]))
    )
    ingest.start()
    time.sleep(0.5)
    started = time.monotonic()
    tagged = veille(store, "tag", "rss:1", "meanwhile", "--wait", "1")
    took = time.monotonic() - started
    assert ingest.is_alive(), "the ingest should still be enriching"
    ingest.join()
    fetcher.close()
    assert tagged.returncode == 0, tagged.stderr  # the lock was free: no "store is busy"
    assert took < SLOW, took
    assert len(stored) == 50
    with Inbox.open(store, user="checker") as inbox:
        assert len(inbox) == 55 and "meanwhile" in inbox.state("rss:1").tags


def test_items_stored_by_another_process_meanwhile_are_not_stored_twice(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    fetcher = Inbox.open(store, user="poller", pipeline=SlowPipeline())
    result: list[Mention] = []
    ingest = threading.Thread(
        target=lambda: result.extend(fetcher.ingest([mention(i) for i in range(100, 150)]))
    )
    ingest.start()
    time.sleep(0.5)
    with Inbox.open(store, user="other") as other:  # stores half of them meanwhile
        assert len(other.ingest([mention(i) for i in range(100, 125)])) == 25
    ingest.join()
    fetcher.close()
    assert sorted(m.id for m in result) == sorted(f"rss:{i}" for i in range(125, 150))
    with Inbox.open(store, user="checker") as inbox:
        assert len(inbox) == 55
