"""The thread pane fetches a mention's conversation from its real source (a Mastodon
server played by the demo server on 127.0.0.1), shows a spinner meanwhile, caches it,
and says in words when the source fails."""

from __future__ import annotations

import asyncio

from store.inbox import Inbox
from triage.model import utcnow
from tui.demo.feed import demo_config, fill_store
from tui.demo.server import DemoServer
from tui.integration import make_thread_fetcher

from .conftest import screen_text


async def wait_for(pilot, predicate, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never met")


async def test_thread_fetched_from_the_source_then_cached(tmp_path, make_app):
    with DemoServer() as server:
        config = demo_config(server.url, tmp_path)
        with Inbox.open(tmp_path / "s", user="camille") as box:
            await fill_store(config, box, tmp_path)
            # a Mastodon post that has a reply in the sample data
            target = next(
                m for m in box.all_mentions() if m.platform == "mastodon" and m.text == "Same here."
            )
            calls = []
            real = make_thread_fetcher(config)

            async def counting(mention):
                calls.append(mention.id)
                return await real(mention)

            app = make_app(inbox=box, config=config, fetch_thread=counting, now=utcnow)
            async with app.run_test(size=(160, 48)) as pilot:
                await pilot.pause()
                screen = app.screen
                screen.query_one("#filter").value = f"author:{target.author.handle}"
                await pilot.pause()
                mlist = screen.query_one("#list")
                index = mlist.ids.index(box.resolve(target.id))
                mlist.move_to(index)
                await pilot.press("enter")
                await wait_for(pilot, lambda: "▶" in screen_text(app))
                text = screen_text(app)
                assert "Thread:" in text and "fetching" not in text
                # leave and come back: served from the cache, no second fetch
                await pilot.press("escape")
                mlist.focus()
                await pilot.press("enter")
                await pilot.pause()
                assert calls.count(mlist.current.leader.id) == 1


async def test_thread_fetch_failure_is_an_error_line(make_app):
    answer = asyncio.Event()  # the server answers once the spinner has been seen

    async def failing(mention):
        await asyncio.wait_for(answer.wait(), timeout=30)
        raise ConnectionError("the server at 127.0.0.1:9 refused the connection")

    app = make_app(fetch_thread=failing)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "fetching from the source" in screen_text(app))
        answer.set()
        await wait_for(pilot, lambda: "could not fetch" in screen_text(app))
        assert "refused the connection" in screen_text(app)
        assert app.is_running
