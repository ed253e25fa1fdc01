"""Reply approval in the inbox, two users on one store: the author's reply waits, the
reviewer approves it with `A` (or edits it first) or sends it back with `B` and a note,
and the author reads the outcome in the thread pane."""

from __future__ import annotations

from dataclasses import replace

from store.inbox import Inbox
from triage.config import ApprovalConfig
from triage.model import DeliveryStatus

from .conftest import make_config, notifications, screen_text
from .test_writes import settled

CRISIS = ApprovalConfig("crisis", when="tag:crisis", reviewers=("camille",))


def config_for(user: str):
    return replace(make_config(user), approval=(CRISIS,))


async def write_reply(make_app, inbox, text: str, review=None) -> None:
    """The author writes a reply; `review(boss)` acts meanwhile, from another session."""
    app = make_app(config=config_for(inbox.user))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r", *text, "ctrl+s")
        await pilot.pause()
        await settled(app)
        assert any("awaits approval (crisis)" in n for n in notifications(app))
        if review is not None:
            app.screen.check_generation()  # the author's inbox sees its reply waiting
            with Inbox.open(inbox.root, user="camille") as boss:
                review(boss)
            app.screen.check_generation()
            await pilot.pause()
            assert any("camille sent back your reply: not now" in n for n in notifications(app))


async def test_a_held_reply_waits_and_the_reviewer_approves_it(make_app, inbox, store_path):
    inbox.tag("mastodon:1", add=["crisis"])
    await write_reply(make_app, inbox, "On regarde")
    (waiting,) = inbox.state("mastodon:1").replies
    assert waiting.status is DeliveryStatus.AWAITING and waiting.by == "tester"
    assert inbox.pending_outbox() == []

    # the author cannot approve their own reply
    app = make_app(config=config_for("tester"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert any("cannot approve your own reply" in n for n in notifications(app))

    with Inbox.open(store_path, user="camille") as boss:
        app = make_app(inbox=boss, config=config_for("camille"))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            app.screen.set_filter("is:awaiting")  # the reviewers' queue
            await pilot.pause()
            assert list(app.screen.mention_list.ids) == ["mastodon:1"]
            await pilot.press("A")
            await pilot.pause()
            assert "tester wrote: On regarde" in screen_text(app)
            await pilot.press("down", "enter")  # edit, then approve
            await pilot.pause()
            await pilot.press("end", *" de près", "enter")  # the text is selected at first
            await settled(app)
            await pilot.pause()
            assert any("queued for posting" in n for n in notifications(app))
            assert list(app.screen.mention_list.ids) == []  # out of the queue
    inbox.refresh()
    (approved,) = inbox.state("mastodon:1").replies
    assert approved.status is DeliveryStatus.PENDING and approved.reviewed_by == "camille"
    assert approved.text == "On regarde de près"
    assert [r.key for _, r in inbox.pending_outbox()] == [approved.key]


async def test_sent_back_with_a_note_the_author_reads_it(make_app, inbox, store_path):
    inbox.tag("mastodon:1", add=["crisis"])
    await write_reply(make_app, inbox, "Oups")
    with Inbox.open(store_path, user="sam") as other:  # not a reviewer of "crisis"
        app = make_app(inbox=other, config=config_for("sam"))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await pilot.press("B")
            await pilot.pause()
            assert any("only camille may approve" in n for n in notifications(app))
    with Inbox.open(store_path, user="camille") as boss:
        app = make_app(inbox=boss, config=config_for("camille"))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await pilot.press("B")
            await pilot.pause()
            await pilot.press(*"Trop court, proposez le DM", "enter")
            await settled(app)
    inbox.refresh()
    (back,) = inbox.state("mastodon:1").replies
    assert back.status is DeliveryStatus.RETURNED
    assert inbox.pending_outbox() == []
    app = make_app(config=config_for("tester"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "sent back by camille" in text
        assert "Trop court, proposez le DM" in text


async def test_the_author_is_told_when_sent_back(make_app, inbox):
    inbox.tag("mastodon:1", add=["crisis"])
    await write_reply(
        make_app, inbox, "Hop", review=lambda boss: boss.send_back("mastodon:1", "not now")
    )
