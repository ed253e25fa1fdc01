"""A free word's expansions (same stem, close spellings) are remembered per vocabulary
(`triage.filter.expansions`), so a word typed back after a backspace is not expanded
again. On real tweets, typing on, back and on again shows exactly the rows a plain scan
with freshly computed expansions keeps, typos still find their words, and the list
shows them to the user."""

from __future__ import annotations

import triage.filter as filtering
from triage import query
from triage.filter import parse_filter

from .conftest import NOW, make_config, screen_text
from .test_fast_keys import tweets_store  # noqa: F401 - the real tweets' store
from .test_filter_typing import settled  # the list once the screen shows a text's answer


def fresh_scan(box, text: str) -> list[str]:
    """What a plain scan of the ranking keeps, every expansion computed anew."""
    filtering._expanded = (None, 0, {})  # nothing remembered
    flt = parse_filter(text).with_vocabulary(box.vocabulary())
    ctx = query.context(box, NOW)
    return [g for g in box.ranked_ids(now=NOW) if flt.matches(box.view(g), ctx)]


async def test_typing_back_and_on_shows_the_rows_of_fresh_expansions(tweets_store):  # noqa: F811
    from store.inbox import Inbox
    from tui.app import VeilleApp

    with Inbox.open(tweets_store, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("slash")
            steps = [
                ("batery", "batery"),  # a typo: found through "battery"
                (["backspace"] * 2, "bate"),
                ("ry", "batery"),  # typed back: its expansions remembered
                (["backspace"] * 6, ""),
                ("servic", "servic"),
                (["backspace"], "servi"),
                ("c help", "servic help"),
                (["backspace"] * 4, "servic "),
                ("-batery", "servic -batery"),
            ]
            for keys, text in steps:
                await pilot.press(*keys)
                rows = await settled(app, text)
                assert app.screen.query_one("#filter").value == text
                if text:
                    assert rows == fresh_scan(box, text), text
            rows = await settled(app, "servic -batery")
            assert rows and len(rows) < len(box.ranked_ids(now=NOW))
            await pilot.press(*["backspace"] * 14, *"batery")
            rows = await settled(app, "batery")
            assert rows == fresh_scan(box, "batery")
            texts = [box.view(g).haystack for g in rows]
            typo_only = [t for t in texts if "batery" not in t]
            assert any("battery" in t for t in typo_only)  # found by its close spelling
            assert box.view(rows[0]).leader.author.display in screen_text(app)
