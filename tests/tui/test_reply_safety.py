"""Two people on one store: the second to press r is told who answered or is answering,
and when; taking over a claim tells the one who had it."""

from __future__ import annotations

import asyncio

from store.inbox import Inbox
from triage import transitions as rules
from triage.model import utcnow
from tui.screens.modals import ConfirmScreen
from tui.widgets.reply_editor import ReplyEditor

from .conftest import notifications, screen_text


async def wait_for(check, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never happened")


def test_two_users_on_one_store_see_the_warnings_and_the_takeover(store_path):
    with Inbox.open(store_path, user="ana") as ana, Inbox.open(store_path, user="bob") as bob:
        ana.claim("mastodon:1")
        bob.refresh()
        now = utcnow()
        warnings = rules.reply_warnings(bob.state("mastodon:1"), "bob", now)
        assert len(warnings) == 1 and warnings[0].startswith("ana is answering this (claimed at")
        assert rules.reply_warnings(ana.state("mastodon:1"), "ana", now) == []
        bob.claim("mastodon:1", force=True)  # bob takes over
        bob.add_reply("mastodon:1", "on it", manual=False)
        ana.refresh()
        taken = rules.takeovers(ana.events(), "ana")
        assert [(e.who, e.target) for e in taken] == [("bob", "mastodon:1")]
        assert rules.takeover_message(taken[0]).startswith("bob took over your claim on mastodon:1")
        assert rules.takeovers(ana.events(), "bob") == []
        assert any(
            w.startswith("bob has a reply waiting to be sent")
            for w in rules.reply_warnings(ana.state("mastodon:1"), "ana", utcnow())
        )


async def test_the_second_replier_is_warned_and_can_back_out(make_app, store_path, inbox):
    with Inbox.open(store_path, user="ana") as ana:
        ana.add_reply("mastodon:1", "Bonjour, on regarde !", manual=True)
    inbox.refresh()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        text = screen_text(app)
        assert "ana already answered (at" in text and "Reply anyway?" in text
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert inbox.state("mastodon:1").claimed_by is None  # nothing taken, nothing sent
        assert not app.screen.query_one(ReplyEditor).text_area.has_focus


async def test_a_claimant_is_told_when_someone_takes_over(make_app, store_path, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r")  # tester claims and starts writing
        await wait_for(lambda: inbox.state("mastodon:1").claimed_by == "tester")
        with Inbox.open(store_path, user="sam") as sam:
            sam.refresh()
            sam.claim("mastodon:1", force=True)
        screen = app.screen
        await wait_for(lambda: (screen.check_generation(), True)[1] and any(
            "sam took over your claim" in n for n in notifications(app)
        ))  # fmt: skip
