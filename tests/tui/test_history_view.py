"""Issue 16: a history view in the inbox on a store past its hot window. Old closed
stories stay on disk (store.history); `status:done …` must still find them, and the
status bar's total must count them."""

from __future__ import annotations

import asyncio

from store.inbox import Inbox
from tests.store.test_hot_window import HOT, NOW, build
from triage import query
from triage.model import Status

from .conftest import make_config


def _status(app) -> str:
    from tui.widgets.status_bar import StatusBar

    return str(app.screen.query_one(StatusBar).render())


async def _until(check, pilot, tries: int = 1500) -> bool:
    for _ in range(tries):
        if check():
            return True
        await asyncio.sleep(0.01)
    await pilot.pause()
    return check()


async def test_a_history_view_reads_the_old_stories_back(tmp_path):
    from tui.app import VeilleApp
    from tui.widgets.mention_list import MentionList

    path = tmp_path / "store"
    build(path)
    with Inbox.open(path, user="t") as full:
        groups = query.count(full, NOW).groups
        done = query.run(full, query.InboxQuery(None, include_all=True), NOW)
        done = [g for g in done if full.state(g).status is Status.DONE]
    inbox = Inbox.open(path, user="t", defer=True, hot_days=HOT, hot_min_bytes=0)
    with inbox:
        app = VeilleApp(inbox, make_config("t"), now=lambda: NOW, poll_interval=0, pane_delay=0)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = app.screen
            mlist = screen.query_one(MentionList)
            assert await _until(lambda: not inbox.loading and screen._vocabulary_ready, pilot)
            assert inbox.cold is not None and "rss:89-0" in inbox.cold  # left on disk
            assert await _until(lambda: f"/{groups} shown" in _status(app), pilot), _status(app)

            screen.set_filter("status:done refund")
            assert await _until(lambda: "rss:50-9" in mlist.ids, pilot), list(mlist.ids)
            screen.set_filter("status:done")
            assert await _until(lambda: set(mlist.ids) == set(done), pilot)
            assert "rss:89-0" in mlist.ids  # the oldest done story, read back
