"""Keys faster than the screen: the filter's latest keystroke wins, the text index
answers as the scan does, a cursor move repaints the right rows, the panes follow the
cursor once it rests. Real tweets (../shared/data/twcs-sample.csv) where the data
matters, skipped if absent."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta

import pytest

from store.inbox import Inbox
from tests.realdata import twcs_sample
from triage import query
from triage.filter import parse_filter
from triage.model import Author, Mention
from tui.filtering import FilterRun
from tui.widgets.mention_list import MentionList
from tui.widgets.thread_view import ThreadView

from .conftest import NOW, make_config, mention, screen_text

TWEETS = 1500


@pytest.fixture(scope="module")
def tweets_store(tmp_path_factory):
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")][:TWEETS]
    mentions = [
        Mention(
            id=f"twitter:{r['tweet_id']}", platform="rss", source="twcs",
            url=f"https://twitter.example/{r['author_id']}/{r['tweet_id']}",
            author=Author(name=r["author_id"], handle="@" + r["author_id"]), text=r["text"],
            created_at=NOW - timedelta(minutes=i), fetched_at=NOW, brands=("Lumio",),
            priority=float((i * 37) % 100),
        )
        for i, r in enumerate(rows)
    ]
    path = tmp_path_factory.mktemp("tweets") / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(mentions)
    return path


def scanned(box, text: str) -> list[str]:
    """What a plain scan of the whole ranking keeps (the meaning of the filter)."""
    flt = parse_filter(text).with_vocabulary(box.vocabulary())
    ctx = query.context(box, NOW)
    return [g for g in box.ranked_ids(now=NOW) if flt.matches(box.view(g), ctx)]


WORDS = ["phone", "iphone", "refund", "acc", "delay", "@sprintcare", "batery", "help please",
         "update -iphone", "order", "servic", "xyzzyq"]  # fmt: skip


def test_the_text_index_answers_as_the_scan_does(tweets_store):
    with Inbox.open(tweets_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        ctx = query.context(box, NOW)
        box.vocabulary()  # the warm-up builds the folded text index with it
        indexed = 0
        for text in WORDS:
            run = FilterRun(parse_filter(text), ranked, box.view, ctx,
                            vocabulary=box.vocabulary(), ranked=ranked)  # fmt: skip
            assert run.finish()
            assert run.found == scanned(box, text), text
            indexed += run.indexed
        assert indexed >= len(WORDS) - 2  # the index answered (else the scan did it all)


async def wait_filtered(app, text: str) -> None:
    screen = app.screen
    for _ in range(1000):
        if screen.shown_filter == text and screen._filter_run is None:
            await asyncio.sleep(0)
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the rows for {text!r} never came")


async def test_fast_typing_shows_the_last_keystrokes_rows(tweets_store):
    from tui.app import VeilleApp

    with Inbox.open(tweets_store, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()  # the vocabulary and text index
            await pilot.press("slash", *"phone")  # no pause between the keys
            await wait_filtered(app, "phone")
            rows = list(app.screen.query_one(MentionList).ids)
            assert rows == scanned(box, "phone") and rows
            total = len(box.ranked_ids(now=NOW))
            assert f"{len(rows)}/{total} shown" in screen_text(app)
            await pilot.press("backspace", "backspace", "space", *"-app")
            await wait_filtered(app, "pho -app")
            assert list(app.screen.query_one(MentionList).ids) == scanned(box, "pho -app")


async def test_a_slow_older_keystroke_never_replaces_a_newer_one(tweets_store):
    from tui.app import VeilleApp

    with Inbox.open(tweets_store, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()
            screen = app.screen
            screen.set_filter("a")  # a scan of every group (too short for the index)
            screen.set_filter("refund")  # answered by the index, at once
            await wait_filtered(app, "refund")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert list(screen.query_one(MentionList).ids) == scanned(box, "refund")
            assert screen.shown_filter == "refund"


@pytest.fixture
def long_store(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(
            mention(n, f"post number {n} about the Lumio lamp", author=f"author{n:03}",
                    priority=float(200 - n))
            for n in range(1, 121)
        )  # fmt: skip
    return path


def cursor_lines(app) -> list[str]:
    """The list's rows drawn in reverse video (the cursor's mark), as text."""
    region = app.screen.query_one(MentionList).scrollable_content_region  # no scrollbar
    lines = app.screen._compositor.render_strips()[region.y : region.bottom]
    found = []
    for line in lines:
        row = line.crop(region.x, region.right)  # the list's cells only
        if any(s.style and s.style.reverse for s in row):
            found.append(row.text)
    return found


async def test_a_cursor_move_repaints_its_two_rows_when_the_list_is_scrolled(long_store):
    """Only the old and the new cursor rows are repainted on a move: at the lines where
    they are drawn, also when the list is scrolled (they were off by the scroll)."""
    from tui.app import VeilleApp

    with Inbox.open(long_store, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=60)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            await pilot.press("end")
            await pilot.pause()
            mlist = app.screen.query_one(MentionList)
            assert mlist.scroll_offset.y > 0
            for _ in range(3):
                await pilot.press("k")
                await pilot.pause()
                shown = cursor_lines(app)
                assert len(shown) == 1  # one cursor row, not a stale one left behind
                assert mlist.current.leader.author.name in shown[0]


async def test_the_thread_pane_follows_once_the_cursor_rests(long_store):
    from tui.app import VeilleApp

    with Inbox.open(long_store, user="tester") as box:
        app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0.05)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            await pilot.press(*"jjjjjjjjjjjj")  # faster than the pane's delay
            await pilot.pause(0.2)
            mlist = app.screen.query_one(MentionList)
            pane = app.screen.query_one(ThreadView)
            assert mlist.cursor == 12
            assert mlist.current.leader.text in pane.visual.plain
            assert mlist.current.leader.text in screen_text(app)
            await pilot.press("k")
            await pilot.pause(0.2)
            assert mlist.current.leader.text in screen_text(app)
