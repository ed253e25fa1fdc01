"""Issue 16: `veille` opens a large store first screen first (Inbox.open(defer=True)):
the first screen is the one a full read shows, and the rest arrives behind it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from store.inbox import Inbox
from store.loading import FIRST_SCREEN
from triage import query
from triage.model import Author, Mention, Status

from .conftest import NOW, make_config

DAYS, PER_DAY = 40, 40
TOP_PRIORITY = {5: 80.0, 20: 60.0, 39: 50.0}  # days whose mentions rank first


def _mention(day: int, n: int, group: str = "") -> Mention:
    at = datetime(2026, 10, 12, tzinfo=UTC) + timedelta(days=day, minutes=n)
    mid = f"rss:{day}-{n}"
    return Mention(
        id=mid, platform="rss", source="s", url=f"https://e.example/{mid}",
        author=Author(f"A{n}", f"@a{n}"), text=f"day {day} lamp story {n}", created_at=at,
        fetched_at=at, brands=("Lumio",), priority=TOP_PRIORITY.get(day, 10.0),
        group_id=group or mid,
    )  # fmt: skip


def build(path) -> None:
    with Inbox.open(path, user="seed") as inbox:
        for day in range(DAYS):  # one ingest a day, as a poller would
            inbox.ingest([_mention(day, n) for n in range(PER_DAY)])
        inbox.ingest([_mention(21, 99, group="rss:20-0")])  # a copy a day later
        inbox.set_status("rss:5-3", Status.DONE)  # hidden: the next one takes its place


def test_the_first_screen_is_read_first_and_is_the_full_read_s(tmp_path):
    path = tmp_path / "store"
    build(path)
    with Inbox.open(path, user="t") as full:
        expected = query.run(full, query.InboxQuery(None), NOW)
        total = len(full)
    with Inbox.open(path, user="t", defer=True) as inbox:
        assert inbox.loading
        read = {p.stem for p in inbox.files._day_dbs}  # parsed; only the top groups indexed
        assert read == {
            "2026-10-17",
            "2026-11-01",
            "2026-11-02",
            "2026-11-20",
        }  # days 5, 20, 21, 39
        first = query.run(inbox, query.InboxQuery(None), NOW)[:FIRST_SCREEN]
        assert first == expected[:FIRST_SCREEN]
        assert "rss:5-3" not in first
        assert inbox.view("rss:20-0").size == 2  # its copy from the next day is there too
        while (part := inbox.read_next()) is not None:
            inbox.adopt(part)
        assert not inbox.loading and len(inbox) == total
        assert query.run(inbox, query.InboxQuery(None), NOW) == expected


def test_a_report_streams_the_days_and_an_ingest_reads_the_rest_first(tmp_path):
    path = tmp_path / "store"
    build(path)
    with Inbox.open(path, user="t", defer=True) as inbox:
        held = len(inbox)
        days = list(inbox.mentions_between(NOW - timedelta(days=60), NOW))
        assert len(days) == DAYS * PER_DAY + 1  # every day file, read and let go
        assert inbox.loading and len(inbox) == held
        october = list(
            inbox.mentions_between(
                datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
            )
        )
        assert len(october) == 20 * PER_DAY  # Oct 12 to 31
    with Inbox.open(path, user="t", defer=True) as inbox:
        assert inbox.ingest([_mention(3, 7)]) == []  # known, though its day was unread


async def test_the_inbox_shows_the_first_screen_then_everything(tmp_path):
    from tui.app import VeilleApp
    from tui.widgets.mention_list import MentionList

    path = tmp_path / "store"
    build(path)
    with Inbox.open(path, user="t") as full:
        expected = query.run(full, query.InboxQuery(None), NOW)
        counts = query.count(full, NOW, None)
    with Inbox.open(path, user="t", defer=True) as inbox:
        app = VeilleApp(inbox, make_config("t"), now=lambda: NOW, poll_interval=0, pane_delay=0)
        async with app.run_test(size=(160, 48)) as pilot:
            mlist = app.screen.query_one(MentionList)
            assert list(mlist.ids[:40]) == expected[:40]  # what is on screen is right at once
            for _ in range(1000):
                if not inbox.loading and app.screen._vocabulary_ready:
                    break
                await asyncio.sleep(0.01)
            await pilot.pause()
            assert list(mlist.ids) == expected  # the rest arrived, in rank order
            assert app.screen._counts[0] == counts.open  # the status bar counts everything
            groups = DAYS * PER_DAY  # the late copy joined a group; one group is done
            assert f"{groups - 1}/{groups} shown" in _status(app)


def _status(app) -> str:
    from tui.widgets.status_bar import StatusBar

    return str(app.screen.query_one(StatusBar).render())
