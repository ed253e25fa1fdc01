"""Typing a filter faster than the screen on hostile text: every key lands, in order,
and the list ends exactly as a plain test of every group would have it, with the status
bar's count of the complete answer (words the columns test: one letter, punctuation,
negations; a fielded term beside them; an error in the middle)."""

from __future__ import annotations

import asyncio

from store.inbox import Inbox
from triage import query
from triage.filter import parse_filter
from tui.widgets.mention_list import MentionList

from .conftest import NOW, make_config, screen_text
from .test_filter_columns import hostile_mentions


def scanned(box: Inbox, text: str) -> list[str]:
    flt = parse_filter(text, None).with_vocabulary(box.vocabulary())
    ctx = query.context(box, NOW)
    return [g for g in box.ranked_ids(now=NOW) if flt.matches(box.view(g), ctx)]


async def settled(app, text: str) -> list[str]:
    """The list once the screen shows `text`'s complete answer."""
    screen = app.screen
    for _ in range(1000):
        if screen.shown_filter == text and screen._filter_run is None:
            await asyncio.sleep(0.05)
            return list(screen.query_one(MentionList).ids)
        await asyncio.sleep(0.01)
    raise AssertionError(f"the rows for {text!r} never came")


async def test_keys_typed_in_a_burst_all_land_and_the_last_answer_is_exact(tmp_path):
    from tui.app import VeilleApp

    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(hostile_mentions(400))
    with Inbox.open(path, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()  # the text index and its columns
            total = len(box.ranked_ids(now=NOW))
            await pilot.press("slash", *"-k")  # a negated letter: a full column pass
            rows = await settled(app, "-k")
            assert rows == scanned(box, "-k") and 0 < len(rows) < total
            assert f"{len(rows)}/{total} shown" in screen_text(app)
            # on: a space, punctuation, a letter, a bad field (an error), then its fix
            await pilot.press("space", *"[b", "space", *"x:1", *["backspace"] * 3, *"-:")
            rows = await settled(app, "-k [b -:")
            assert rows == scanned(box, "-k [b -:") and rows
            assert app.screen.query_one("#filter").value == "-k [b -:"  # no key lost
            assert not app.screen.query_one("#filter-error").display
            assert f"{len(rows)}/{total} shown" in screen_text(app)
            await pilot.press(*["backspace"] * 8, "l", "space", *"author:user3")
            rows = await settled(app, "l author:user3")
            assert rows == scanned(box, "l author:user3") and rows
