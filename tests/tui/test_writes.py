"""Triage writes run on the inbox's writer thread: the row changes at once, a failed
write puts it back with the reason, and what other processes store shows up."""

from __future__ import annotations

import asyncio

from store.inbox import Inbox
from triage.model import Status

from .conftest import notifications


def rows(app) -> list[str]:
    from tui.widgets.mention_list import MentionList

    return list(app.screen.query_one(MentionList).ids)


async def settled(app, seconds: float = 10.0) -> None:
    """Wait until the store writes the inbox asked for are done (they run on the
    writer thread) and their outcome is back on screen."""
    from tui.screens.inbox import InboxScreen

    screen = next(s for s in app.screen_stack if isinstance(s, InboxScreen))
    for _ in range(int(seconds / 0.01)):
        if screen.writes_pending == 0:
            await asyncio.sleep(0)
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the store writes never finished")


async def test_a_write_that_fails_puts_the_row_back_and_says_why(make_app, store_path):
    """The row leaves at once (the write runs on the writer thread); when the store
    refuses (another process holds its lock), the row comes back with the reason."""
    from store.lock import StoreLock

    with Inbox.open(store_path, user="tester", lock_timeout=0.5) as box:
        app = make_app(inbox=box)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            with StoreLock(store_path / "lock", timeout=1):  # another veille holds it
                await pilot.press("d")
                assert "mastodon:1" not in rows(app)  # optimistic: gone before the write
                await settled(app)
            await pilot.pause()
            assert rows(app)[0] == "mastodon:1"  # rolled back
            assert box.state("mastodon:1").status is Status.NEW
            assert any("Done failed" in n and "busy" in n for n in notifications(app))
            await pilot.press("d")  # the lock is free again: this one sticks
            await settled(app)
            assert box.state("mastodon:1").status is Status.DONE
            assert "mastodon:1" not in rows(app)


async def test_author_history_follows_new_mentions(make_app, store_path):
    """Another process stores a new post by ana: her history in the thread pane has it
    without restarting (the author index is rebuilt off the UI thread)."""
    from .conftest import mention

    box = Inbox.open(store_path, user="tester")
    app = make_app(inbox=box, poll_interval=0.05)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if app.screen._vocabulary_ready:
                    break
            view = box.view("mastodon:3")  # chloe's; ana wrote mastodon:1
            assert app.author_history(box.view("mastodon:1"))[0] == []
            with Inbox.open(store_path, user="other") as writer:
                writer.ingest([mention(7, "Lumio again, still no refund", author="ana")])
            for _ in range(100):
                await pilot.pause(0.05)
                if app.author_history(box.view("mastodon:1"))[0]:
                    break
            history, _ = app.author_history(box.view("mastodon:1"))
            assert [m.id for m in history] == ["mastodon:7"]
            assert app.author_history(view)[0] == []
    finally:
        box.close()
