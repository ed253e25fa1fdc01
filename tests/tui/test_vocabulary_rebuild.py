"""New mentions drop the store's folded text index; the next keystroke must not rebuild
it on the UI thread (hundreds of milliseconds at 100,000 mentions). Here the rebuild is
held up by another writer holding the store's lock: keys typed meanwhile still show
their rows at once (a new mention found by its words), and once the rebuild is done the
list follows by itself (a typo of a word only the new mention has finds it)."""

from __future__ import annotations

import asyncio
import threading

from store.inbox import Inbox
from tui.widgets.mention_list import MentionList

from .conftest import NOW, make_config, mention, screen_text


async def shown(app, text: str, want: list[str], *, tries: int = 300) -> list[str]:
    """The list once the screen shows `text`'s complete answer and it is `want`."""
    screen = app.screen
    rows: list[str] = []
    for _ in range(tries):
        rows = list(screen.query_one(MentionList).ids)
        if screen.shown_filter == text and screen._filter_run is None and rows == want:
            return rows
        await asyncio.sleep(0.01)
    return rows


async def test_keys_after_new_mentions_answer_while_the_vocabulary_is_rebuilt(store_path):
    from tui.app import VeilleApp

    with Inbox.open(store_path, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()  # warmed up: the text index is built
            screen = app.screen
            index = box.view.__self__  # type: ignore[attr-defined]
            assert index.text_index is not None
            await pilot.press("slash", *"quetzalcoatk")  # a typo of a word no post has
            assert await shown(app, "quetzalcoatk", []) == []

            # new mentions arrive, while another writer holds the store's lock
            box.ingest([mention(7, "Quetzalcoatl lamp arrived broken", minutes_ago=1)])
            assert index.text_index is None  # dropped by the ingest
            held, release = threading.Event(), threading.Event()

            def writer() -> None:
                with box.mutex:
                    held.set()
                    release.wait(10)

            thread = threading.Thread(target=writer)
            thread.start()
            try:
                assert held.wait(5)
                screen.check_generation()  # what the poll tick does
                # the literal word finds the new mention at once, the index not rebuilt
                await pilot.press(*["backspace"] * 5, *"coatl")
                assert await shown(app, "quetzalcoatl", ["mastodon:7"]) == ["mastodon:7"]
                assert screen.words.building and index.text_index is None
                assert "Quetzalcoatl lamp" in screen_text(app)
                # its typo needs the new words: not yet
                await pilot.press("backspace", "k")
                assert await shown(app, "quetzalcoatk", [], tries=30) == []
                assert screen.words.building and index.text_index is None
            finally:
                release.set()
                thread.join()
            # the rebuild goes on; the list follows without another key
            assert await shown(app, "quetzalcoatk", ["mastodon:7"]) == ["mastodon:7"]
            assert index.text_index is not None and not screen.words.building
            assert "Quetzalcoatl lamp" in screen_text(app)
