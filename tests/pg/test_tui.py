"""The inbox (Textual, driven by Pilot) on a PostgreSQL store: open, filter, a triage
action and its undo; another node's action appears within a second (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import time

import pytest

from store.postgres import PgStore
from tests.tui.conftest import NOW, make_config, sample_mentions, screen_text
from tests.tui.test_writes import settled
from triage.model import Status
from tui.widgets.mention_list import MentionList


def rows(app) -> list[str]:
    return [v.group_id for v in app.screen.query_one(MentionList).rows]


@pytest.fixture
def pg_inbox(pg_url):
    with PgStore.open(pg_url, user="tester") as box:
        box.ingest(sample_mentions())
    box = PgStore.open(pg_url, user="tester")
    yield box
    box.close()


def app_on(box, **kwargs):
    from tui.app import VeilleApp

    kwargs.setdefault("now", lambda: NOW)
    kwargs.setdefault("poll_interval", 0)
    kwargs.setdefault("pane_delay", 0)
    return VeilleApp(box, make_config(box.user), **kwargs)


async def test_open_filter_and_triage_on_postgresql(pg_inbox):
    app = app_on(pg_inbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert rows(app) == ["mastodon:1", "rss:6", "mastodon:2", "hackernews:5", "mastodon:3"]
        assert "Lumio app crashed" in screen_text(app)
        await pilot.press("slash", *"crashed -brand:brightly")  # free text: SQL answers
        await pilot.pause()
        assert rows(app) == ["mastodon:1"]
        app.screen.query_one("#filter").value = ""
        await pilot.press(*"platform:rss")
        await pilot.pause()
        assert rows(app) == ["rss:6"]
        await pilot.press("enter")
        await pilot.press("d")
        await settled(app)
        assert pg_inbox.state("rss:6").status is Status.DONE
        assert rows(app) == []
        await pilot.press("u")
        await settled(app)
        assert pg_inbox.state("rss:6").status is Status.NEW
        assert rows(app) == ["rss:6"]
        await app.workers.wait_for_complete()  # counts done before the screen goes


async def test_another_nodes_action_shows_within_a_second(pg_url, pg_inbox):
    app = app_on(pg_inbox, poll_interval=0.1)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert "mastodon:2" in rows(app)
        with PgStore.open(pg_url, user="sam", listen=False) as other:
            other.set_status("mastodon:2", "done")
        started = time.monotonic()
        while "mastodon:2" in rows(app) and time.monotonic() - started < 5:
            await asyncio.sleep(0.02)
        seen_after = time.monotonic() - started
        assert "mastodon:2" not in rows(app)
        assert seen_after < 1.0
        app.poll_interval = 0
        await app.workers.wait_for_complete()  # counts done before the screen goes
        await pilot.pause()


def test_the_database_takes_the_filters_its_indexes_answer(pg_inbox, monkeypatch):
    from store.postgres import reader
    from triage.filter import parse_filter

    assert pg_inbox.answers_filter(parse_filter("crashed brand:lumio"))
    assert not pg_inbox.answers_filter(parse_filter("cr"))  # under a trigram: the inbox scans
    monkeypatch.setattr(reader, "LARGE", 0)  # a large answer: the inbox's first screenful
    assert not pg_inbox.answers_filter(parse_filter("brand:lumio"))
