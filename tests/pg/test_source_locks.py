"""A source is polled by one process at a time on a PostgreSQL store, whoever polls it:
a `veille fetch` (or a second watch) skips a source another node is polling, and takes
it again once that node has saved it."""

from __future__ import annotations

import asyncio

import pytest

from app.ingest import ingest_once, make_poller
from app.pollguard import BUSY
from app.runtime import Runtime
from store.postgres import PgStore
from store.postgres.sourcelocks import SourceLocks
from tests.pg.feedserver import serving
from tests.pg.test_cli import rss


@pytest.fixture
def feeds():
    with serving(lambda: rss(3)) as (base, hits):
        yield base, hits


def runtime(tmp_path, pg_url, base) -> Runtime:
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "ana"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        + "".join(
            f'[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{base}/{name}.xml"\n'
            'every = "1h"\nallow_private = true\n'
            for name in ("blog", "news")
        )
    )
    PgStore.open(pg_url, user="ana").close()
    return Runtime.load(config=config, store=pg_url)


def fetch(rt: Runtime, names=None):
    with make_poller(rt, parse="thread") as poller:
        return asyncio.run(ingest_once(poller, rt.open_store, names, rt.config))


def test_a_fetch_skips_the_source_another_node_is_polling(tmp_path, pg_url, feeds):
    base, hits = feeds
    rt = runtime(tmp_path, pg_url, base)
    other = SourceLocks(pg_url)  # another node, in the middle of polling "blog"
    assert other.take(["blog"]) == {"blog"}
    run = fetch(rt)
    assert hits == ["/news.xml"]
    outcome = {o.name: o for o in run.outcomes}
    assert outcome["blog"].warnings == [BUSY] and outcome["blog"].ok
    assert not outcome["news"].warnings and len(outcome["news"].mentions) == 3
    health = rt.health_files()
    assert health.load("blog", "rss").last_ok is None  # the other node's to record
    assert health.load("news", "rss").last_ok is not None

    other.release(["blog"])  # it saved and let go: the next fetch polls it
    run = fetch(rt, ["blog"])
    assert hits == ["/news.xml", "/blog.xml"]
    assert not run.outcomes[0].warnings
    assert SourceLocks(pg_url).take(["blog", "news"]) == {"blog", "news"}  # nothing kept
    other.close()


def test_a_node_that_dies_lets_go_of_its_sources(tmp_path, pg_url, feeds):
    base, hits = feeds
    rt = runtime(tmp_path, pg_url, base)
    other = SourceLocks(pg_url)
    other.take(["blog", "news"])
    fetch(rt)
    assert hits == []
    other.close()  # its connection gone (a crash, kill -9): the database frees the locks
    fetch(rt)
    assert sorted(hits) == ["/blog.xml", "/news.xml"]


def test_a_source_polled_since_the_watch_chose_it_is_left_for_its_next_turn(
    tmp_path, pg_url, feeds
):
    from datetime import timedelta

    from triage.model import utcnow

    base, hits = feeds
    rt = runtime(tmp_path, pg_url, base)
    with make_poller(rt, parse="thread") as poller:
        due = [h.name for h in poller.health() if h.next_poll is None]  # both due
        # meanwhile another node polls "blog" and saves it (then lets go of its lock)
        record = rt.health_files().load("blog", "rss")
        record.last_ok, record.next_poll = utcnow(), utcnow() + timedelta(hours=1)
        rt.health_files().save(record)
        outcomes = asyncio.run(poller.poll_once(due, save=False))
        poller.save(outcomes)
    assert due == ["blog", "news"] and hits == ["/news.xml"]
    assert [o.warnings for o in outcomes] == [[BUSY], []]
