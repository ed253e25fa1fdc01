"""`m` merges the selected stories, `x` splits a copy out, `u` undoes either: the
inbox (Textual, driven by Pilot) on a PostgreSQL store, as tests/tui/test_merge_split.py
on the folder store; another node sees the merge."""

from __future__ import annotations

import pytest

from store.postgres import PgStore
from tests.tui.conftest import NOW, make_config, notifications, sample_mentions, screen_text
from tests.tui.test_writes import settled


def rows(app) -> list[str]:
    return list(app.screen.mention_list.ids)


@pytest.fixture
def pg_inbox(pg_url):
    with PgStore.open(pg_url, user="tester") as box:
        box.ingest(sample_mentions())
    box = PgStore.open(pg_url, user="tester")
    yield box
    box.close()


def app_on(box):
    from tui.app import VeilleApp

    return VeilleApp(box, make_config(box.user), now=lambda: NOW, poll_interval=0, pane_delay=0)


async def test_m_merges_the_selected_stories_and_u_takes_it_back(pg_inbox, pg_url):
    app = app_on(pg_inbox)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert rows(app)[:2] == ["mastodon:1", "rss:6"]
        await pilot.press("space", "space", "m")  # select the first two, merge
        await settled(app)
        await pilot.pause()
        assert pg_inbox.resolve("rss:6") == "mastodon:1"
        assert "rss:6" not in rows(app)
        assert pg_inbox.view("mastodon:1").size == 3
        assert any("Merged 2 stories" in n for n in notifications(app))
        with PgStore.open(pg_url, user="other") as again:  # durable, seen by others
            assert again.resolve("rss:6") == "mastodon:1"
            assert "rss:6" not in again.ranked_ids()
        await pilot.press("u")
        await settled(app)
        await pilot.pause()
        assert pg_inbox.resolve("rss:6") == "rss:6"
        assert "rss:6" in rows(app)


async def test_x_splits_the_chosen_copy_out(pg_inbox):
    app = app_on(pg_inbox)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert pg_inbox.view("mastodon:1").size == 2
        await pilot.press("x")
        await pilot.pause()
        assert "Split which copy" in screen_text(app)
        await pilot.press("enter")
        await settled(app)
        await pilot.pause()
        assert pg_inbox.resolve("mastodon:4") == "mastodon:4"
        assert pg_inbox.view("mastodon:1").size == 1
        assert "mastodon:4" in rows(app)
        await pilot.press("u")
        await settled(app)
        await pilot.pause()
        assert pg_inbox.resolve("mastodon:4") == "mastodon:1"
        assert "mastodon:4" not in rows(app)
        assert pg_inbox.view("mastodon:1").size == 2
