"""Issue 16: the inbox opens on its first screen's groups only (store.loading) and the
closed states as lines (store.statecache) while the rest of the store loads behind it.
What the user does meanwhile must come out as on a store read whole: an action on a
row, an undo of an action on a story not read yet, a filter typed before the rest
arrived; the status bar says more is coming ("+") until it has."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from store.inbox import Inbox
from triage import query
from triage import transitions as rules
from triage.config import StoreConfig
from triage.model import Author, Mention, Status

from .conftest import NOW, make_config

DAYS, PER_DAY, HOT = 40, 30, 20
TOP_PRIORITY = {5: 80.0, 25: 60.0, 39: 50.0}  # days whose stories rank first


def _mention(day: int, n: int) -> Mention:
    at = datetime(2026, 10, 12, tzinfo=UTC) + timedelta(days=day, minutes=n)
    mid = f"rss:{day}-{n}"
    words = "refund" if n % 7 == 0 else "lamp"
    return Mention(
        id=mid, platform="rss", source="s", url=f"https://e.example/{mid}",
        author=Author(f"A{n}", f"@a{n}"), text=f"day {day} {words} story {n}", created_at=at,
        fetched_at=at, brands=("Lumio",), priority=TOP_PRIORITY.get(day, 10.0 + n % 5),
    )  # fmt: skip


def build(path) -> None:
    with Inbox.open(path, user="seed") as inbox:
        for day in range(DAYS):
            inbox.ingest([_mention(day, n) for n in range(PER_DAY)])
        for day in range(DAYS - HOT):  # a team that triages: the old stories are done
            old = [f"rss:{day}-{n}" for n in range(PER_DAY) if n != 4]
            inbox.act_many("status", old, lambda s, now: rules.set_status(s, Status.DONE))
    with Inbox.open(path, user="t") as inbox:
        inbox.set_status("rss:3-3", Status.OPEN)  # t's last action, on an old story
        inbox.set_status("rss:3-3", Status.DONE)


def _status(app) -> str:
    from tui.widgets.status_bar import StatusBar

    return str(app.screen.query_one(StatusBar).render())


async def _until(check, pilot, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    await pilot.pause()
    assert check()


async def test_acting_and_filtering_while_the_rest_loads_ends_as_a_whole_read(tmp_path):
    from tui.widgets.mention_list import MentionList

    path = tmp_path / "store"
    build(path)
    with Inbox.open(path, user="t") as full:
        expected = query.run(full, query.InboxQuery(None), NOW)
    Inbox.open(path, user="t", defer=True, hot_days=HOT, hot_min_bytes=0).close()  # caches
    inbox = Inbox.open(path, user="t", defer=True, hot_days=HOT, hot_min_bytes=0)
    assert inbox.loading and "rss:3-3" not in inbox.index.raw
    assert "rss:3-3" in inbox.index.cold_states  # a closed state, not built
    gate, read_next = threading.Event(), inbox.read_next

    def held() -> object:  # the rest of the store waits until the test lets it come
        gate.wait(30)
        return read_next()

    inbox.read_next = held  # type: ignore[method-assign]
    app_config = replace(make_config("t"), store=StoreConfig(hot_days=HOT))
    from tui.app import VeilleApp

    app = VeilleApp(inbox, app_config, now=lambda: NOW, poll_interval=0, pane_delay=0)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            mlist = app.screen.query_one(MentionList)
            assert list(mlist.ids[:40]) == expected[:40]  # the first screen is the right one
            await _until(lambda: "+/" in _status(app), pilot)  # more is coming
            first = mlist.current_id
            await pilot.press("d")  # an action on a row while the rest loads
            await _until(lambda: app.screen.writes_pending == 0 and first not in mlist.ids, pilot)
            await pilot.press("u", "u")  # undo it, then t's done on a story not read yet
            await _until(lambda: app.screen.writes_pending == 0 and first in mlist.ids, pilot)
            await _until(lambda: inbox.state("rss:3-3").status is Status.OPEN, pilot)
            await pilot.press("d")  # closed again: the last word is a done
            await _until(lambda: app.screen.writes_pending == 0 and first not in mlist.ids, pilot)
            await pilot.press("slash", *"refund")  # typed before the rest arrived
            await pilot.press("enter")
            gate.set()
            await _until(lambda: not inbox.loading and app.screen._vocabulary_ready, pilot)
            await pilot.pause(0.3)
            with Inbox.open(path, user="t") as full:
                wanted = query.run(full, query.InboxQuery.parse("refund"), NOW)
                counts = query.count(full, NOW)
                everything = query.run(full, query.InboxQuery(None), NOW)
            assert "rss:3-3" in everything  # reopened by the undo, though it was on disk
            await _until(lambda: list(mlist.ids) == wanted, pilot)
            assert app.screen._counts[0] == counts.open
            await _until(lambda: "+/" not in _status(app), pilot)
            assert f"{len(wanted)}/{counts.groups} shown" in _status(app)
            await pilot.press("escape", "escape")
            await _until(lambda: list(mlist.ids) == everything, pilot)
    finally:
        gate.set()
        inbox.close()
