"""`m` merges the selected stories, `x` splits a copy out; `u` undoes either."""

from __future__ import annotations

from store.inbox import Inbox

from .conftest import notifications, screen_text
from .test_writes import settled


def rows(app) -> list[str]:
    return list(app.screen.mention_list.ids)


async def test_m_merges_the_selected_stories_and_u_takes_it_back(make_app, inbox, store_path):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert rows(app)[:2] == ["mastodon:1", "rss:6"]
        await pilot.press("space", "space", "m")  # select the first two, merge
        await settled(app)
        await pilot.pause()
        assert inbox.resolve("rss:6") == "mastodon:1"
        assert "rss:6" not in rows(app)
        assert inbox.view("mastodon:1").size == 3
        assert any("Merged 2 stories" in n for n in notifications(app))
        with Inbox.open(store_path, user="other") as again:  # durable, seen by others
            assert again.resolve("rss:6") == "mastodon:1"
        await pilot.press("u")
        await settled(app)
        await pilot.pause()
        assert inbox.resolve("rss:6") == "rss:6"
        assert "rss:6" in rows(app)


async def test_m_with_one_story_says_what_to_do(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert any("Select the stories to merge" in n for n in notifications(app))
        assert len(inbox.group_ids()) == 5


async def test_x_splits_the_chosen_copy_out(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert inbox.view("mastodon:1").size == 2
        await pilot.press("x")
        await pilot.pause()
        assert "Split which copy" in screen_text(app)
        assert "dan" in screen_text(app)  # the copy, by its author
        await pilot.press("enter")
        await settled(app)
        await pilot.pause()
        assert inbox.resolve("mastodon:4") == "mastodon:4"
        assert inbox.view("mastodon:1").size == 1
        assert "mastodon:4" in rows(app)
        await pilot.press("G")  # the new story (priority 85) is on show
        await pilot.press(*["k"] * (len(rows(app)) - 1 - rows(app).index("mastodon:4")))
        await pilot.pause()
        assert "split out of mastodon:1" in screen_text(app)
        await pilot.press("u")
        await settled(app)
        await pilot.pause()
        assert inbox.resolve("mastodon:4") == "mastodon:1"
        assert "mastodon:4" not in rows(app)
