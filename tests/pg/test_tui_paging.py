"""The inbox (Textual, driven by Pilot) on a PostgreSQL store of a few thousand groups,
read a page at a time (tui.paging): the first page and the database's total at once,
the next pages as the cursor reaches the end, in rank order and without duplicates; a
filter pages again from the top; a triage action drops its row and the next pages
still line up with what the database lists."""

from __future__ import annotations

import pytest

from store.postgres import PgStore
from tests.pg.backends import NOW, mention
from tests.tui.conftest import make_config, screen_text
from tests.tui.test_writes import settled
from triage import query
from triage.filter import parse_filter
from triage.model import Status
from tui import paging
from tui.widgets.mention_list import MentionList

GROUPS = 3000
PAGE = 60


def ids(app) -> list[str]:
    return list(app.screen.query_one(MentionList).ids)


def ranked(box, text: str = "") -> list[str]:
    rule = query.InboxQuery(parse_filter(text) if text else None)
    return query.run(box, rule, NOW)


@pytest.fixture
def big_inbox(pg_url, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", PAGE)
    with PgStore.open(pg_url, user="tester") as box:
        box.ingest(
            mention(i, platform=("rss", "mastodon")[i % 2], priority=float(i % 97))
            for i in range(GROUPS)
        )
    box = PgStore.open(pg_url, user="tester")
    yield box
    box.close()


def app_on(box):
    from tui.app import VeilleApp

    return VeilleApp(box, make_config(box.user), now=lambda: NOW, poll_interval=0, pane_delay=0)


async def to_the_end(app, pilot) -> list[str]:
    """Press End until no more rows arrive; the rows then listed."""
    before = -1
    while len(ids(app)) != before:
        before = len(ids(app))
        await pilot.press("end")
        await pilot.pause()
    return ids(app)


async def test_pages_arrive_in_rank_order_as_the_cursor_reaches_the_end(big_inbox):
    whole = ranked(big_inbox)
    assert len(whole) == GROUPS
    app = app_on(big_inbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert ids(app) == whole[:PAGE]  # one page, not the whole ranking
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"{GROUPS}/{GROUPS} shown" in screen_text(app)  # the database's count
        await pilot.press("j")
        await pilot.pause()
        assert ids(app) == whole[:PAGE]  # far from the end: nothing fetched
        listed = await to_the_end(app, pilot)
        assert listed == whole  # every group once, in rank order
        assert len(set(listed)) == len(listed)
        await app.workers.wait_for_complete()


async def test_a_filter_pages_again_and_done_drops_the_row(big_inbox):
    app = app_on(big_inbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("end")  # a second page loaded before the filter
        await pilot.pause()
        assert len(ids(app)) == 2 * PAGE
        await pilot.press("slash", *"platform:mastodon")
        await pilot.pause()
        mastodon = ranked(big_inbox, "platform:mastodon")
        assert len(mastodon) == GROUPS // 2
        assert ids(app) == mastodon[:PAGE]  # from the top again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"{GROUPS // 2}/{GROUPS} shown" in screen_text(app)
        await pilot.press("enter")  # back to the list, the cursor on the first row
        first = ids(app)[0]
        await pilot.press("d")
        await settled(app)
        assert big_inbox.state(first).status is Status.DONE
        assert first not in ids(app)
        assert ids(app) == mastodon[1:PAGE]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"{GROUPS // 2 - 1}/{GROUPS} shown" in screen_text(app)
        listed = await to_the_end(app, pilot)
        assert listed == ranked(big_inbox, "platform:mastodon") == mastodon[1:]
        assert all(g.startswith("mastodon:") for g in listed)
        await app.workers.wait_for_complete()


async def test_a_typo_finds_the_word_once_warmed_up(big_inbox):
    app = app_on(big_inbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the vocabulary is ready
        await pilot.press("slash", *"lampr")
        await pilot.pause()
        assert ids(app) == ranked(big_inbox)[:PAGE]  # every text says "lampe"
        await pilot.press("space", *"-lampe")
        await pilot.pause()
        assert ids(app) == []
        await app.workers.wait_for_complete()


async def test_a_failed_write_on_a_paged_store_keeps_the_cursor_on_its_row(pg_url, monkeypatch):
    """Another session holds the states table locked: `d` drops the row at once, the
    write times out, the row comes back where it was and the cursor is on it, not on
    the first row (the screen's `ranked` is empty when paged: it looked there)."""
    import psycopg

    from tests.tui.conftest import notifications

    monkeypatch.setattr(paging, "PAGE_SIZE", PAGE)
    with PgStore.open(pg_url, user="tester") as box:
        box.ingest(mention(i, priority=float(500 - i)) for i in range(300))
    box = PgStore.open(pg_url, user="tester", lock_timeout=0.3)
    try:
        whole = ranked(box)
        app = app_on(box)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            for _ in range(2):  # more pages: the row is past the first one
                await pilot.press("end")
                await pilot.pause()
            for _ in range(5):
                await pilot.press("k")
            await pilot.pause()
            mlist = app.screen.query_one(MentionList)
            row = mlist.current_id
            assert row == whole[mlist.cursor] and mlist.cursor > PAGE
            with psycopg.connect(pg_url, autocommit=False) as other:
                other.execute("LOCK TABLE states IN EXCLUSIVE MODE")  # held until rollback
                await pilot.press("d")
                assert row not in ids(app)  # optimistic: gone before the write
                await settled(app)
                other.rollback()
            await pilot.pause()
            assert any("Done failed" in n for n in notifications(app))
            assert box.state(row).status is not Status.DONE
            assert row in ids(app)
            assert mlist.current_id == row  # the cursor stayed with it
            assert ids(app) == whole[: len(ids(app))]
            await app.workers.wait_for_complete()
    finally:
        box.close()
