"""Undo is one step per user action: a bulk action comes back whole, the claim the app
takes when you start a reply is not a step, and a template never eats a typed draft."""

from __future__ import annotations

from store.inbox import Inbox
from triage.model import Status
from tui.screens.modals import ConfirmScreen

from .conftest import notifications, screen_text
from .test_writes import settled

GROUPS = ("mastodon:1", "rss:6", "hackernews:5")


def test_a_batch_is_one_undo_step_at_the_store(store_path):
    with Inbox.open(store_path, user="ana") as box:
        box.tag("mastodon:2", add=["first"])
        with box.batch():
            for g in GROUPS:
                box.set_status(g, Status.DONE)
        undone = box.undo()
        assert undone is not None and undone.action == "status"
        assert all(box.state(g).status is Status.NEW for g in GROUPS)
        assert box.state("mastodon:2").tags == ("first",)  # the earlier action stays
        box.undo()
        assert box.state("mastodon:2").tags == ()


async def test_bulk_done_is_undone_by_one_u(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("space", "space", "j", "space", "d")
        await settled(app)
        assert all(inbox.state(g).status is Status.DONE for g in GROUPS)
        await pilot.press("u")
        await settled(app)
        assert all(inbox.state(g).status is Status.NEW for g in GROUPS)


async def test_the_automatic_claim_is_not_an_undo_step(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.press(*"vip", "enter")
        await settled(app)
        await pilot.press("r")  # claims it automatically
        await settled(app)
        assert inbox.state("mastodon:1").claimed_by == "tester"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("u")  # takes back the tag, not the claim
        await settled(app)
        state = inbox.state("mastodon:1")
        assert state.tags == () and state.claimed_by == "tester"
        assert any("Undone: tag" in n for n in notifications(app))


async def test_a_template_asks_before_replacing_a_typed_draft(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r", *"my own words", "ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Replace your draft" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        area = app.screen.query_one("#reply-text")
        assert area.text == "my own words"
        await pilot.press("ctrl+t", "y")
        await pilot.pause()
        assert area.text.startswith("Bonjour @ana")
        await pilot.press("ctrl+t")  # a template replacing a template: no question
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
