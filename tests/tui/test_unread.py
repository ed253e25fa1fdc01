"""Unread per person: a group opened in the thread pane is read for that user only; a
new copy or someone else's note makes it unread again; `is:unread`; the status bar
counts; the marks are written within a second, not once per cursor move."""

from __future__ import annotations

import json
import time

from store.inbox import Inbox
from store.reads import Reads, file_stem

from .conftest import mention, screen_text
from .test_writes import settled


def status(app) -> str:
    return screen_text(app).splitlines()[-2]  # the status bar, above the footer


async def wait_for(pilot, check, what: str) -> None:
    for _ in range(300):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_opening_reads_and_others_make_it_unread_again(make_app, inbox, store_path):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        # the first row is on show in the thread pane: read; four others are not
        await wait_for(pilot, lambda: " 4 unread " in status(app), "4 unread")
        await pilot.press("j")  # the pane follows the cursor
        await wait_for(pilot, lambda: " 3 unread " in status(app), "3 unread")
        app.screen.set_filter("is:unread")
        await pilot.pause()
        assert set(app.screen.mention_list.ids) == {"mastodon:2", "hackernews:5", "mastodon:3"}
        # the filtered list's first row is on show now: read
        await wait_for(pilot, lambda: " 2 unread " in status(app), "2 unread")
        app.screen.set_filter("")
        await pilot.press("G")  # the last row: read too
        await wait_for(pilot, lambda: " 1 unread " in status(app), "1 unread")

        with Inbox.open(store_path, user="sam") as sam:  # someone else's note, a new copy
            sam.note("mastodon:1", "the customer called us")
            sam.ingest([mention(7, "Lumio glow again", minutes_ago=1, group="rss:6")])
            assert sam.is_unread(sam.view("mastodon:3"))  # sam's marks are sam's own
        app.screen.check_generation()
        await settled(app)
        app.screen.update_status()
        await wait_for(pilot, lambda: " 3 unread " in status(app), "3 unread")
        assert inbox.is_unread(inbox.view("mastodon:1")) and inbox.is_unread(inbox.view("rss:6"))
        assert not inbox.is_unread(inbox.view("mastodon:3"))
        inbox.note("mastodon:3", "mine")  # the user's own note does not make it unread
        assert not inbox.is_unread(inbox.view("mastodon:3"))
    inbox.flush_reads()


def test_marks_are_written_within_a_second_not_per_move(tmp_path, store_path):
    with Inbox.open(store_path, user="ana") as box:
        views = [box.view(g) for g in box.ranked_ids()]
        reads = Reads(tmp_path / "reads", "ana", flush_every=0.3)
        for _ in range(20):  # a cursor going up and down: marks in memory only
            for v in views:
                reads.mark(v)
        assert not reads.path.exists()
        time.sleep(0.6)
        on_disk = json.loads(reads.path.read_text())
        assert set(on_disk) == {v.group_id for v in views}
        # a second session of the same user reads another group: both are kept
        other = Reads(tmp_path / "reads", "ana", flush_every=0.3)
        assert not other.is_unread(views[0])  # what the first session wrote
        reads.mark(box.view("mastodon:1"))
        box.note("mastodon:2", "x")  # ana's own note: still read
        assert not reads.is_unread(box.view("mastodon:2"))
        box.ingest([mention(8, "Lumio app crashed again", group="mastodon:1")])
        assert reads.is_unread(box.view("mastodon:1"))  # a new copy
        other.mark(box.view("mastodon:1"))
        other.close()
        reads.close()
        assert set(json.loads(reads.path.read_text())) == {v.group_id for v in views}
        assert not Reads(tmp_path / "reads", "ana").is_unread(box.view("mastodon:1"))
        # another user has their own marks, in a file named safely whatever the name
        assert file_stem("../../etc/passwd").startswith("u-") and file_stem("ana") == "ana"
        assert Reads(tmp_path / "reads", "sam").is_unread(views[0])


def test_a_restart_keeps_what_was_read(store_path):
    with Inbox.open(store_path, user="ana") as box:
        box.mark_read(box.view("rss:6"))
        box.flush_reads()
    with Inbox.open(store_path, user="ana") as box:
        assert not box.is_unread(box.view("rss:6"))
        assert box.ranked_ids("is:unread") == [
            g for g in box.ranked_ids() if g != "rss:6"
        ]
