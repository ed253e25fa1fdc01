"""Every key path of the inbox, driven with Textual's Pilot against a real store."""

from __future__ import annotations

from datetime import timedelta

from store.inbox import Inbox
from triage.model import DeliveryStatus, Status
from tui.widgets.mention_list import MentionList

from .conftest import NOW, notifications, screen_text
from .test_writes import settled


def rows(app) -> list[str]:
    return [v.group_id for v in app.screen.query_one(MentionList).rows]


def cursor_id(app) -> str | None:
    return app.screen.query_one(MentionList).current_id


async def test_list_is_ranked_by_priority_and_grouped(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        # mastodon:4 is a copy of mastodon:1: one row, size 2
        assert rows(app) == [
            "mastodon:1", "rss:6", "mastodon:2", "hackernews:5", "mastodon:3",
        ]  # fmt: skip
        text = screen_text(app)
        assert "×2" in text
        assert "5 open" in text


async def test_moving_j_k_g_G(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert cursor_id(app) == "mastodon:1"
        await pilot.press("j", "j")
        assert cursor_id(app) == "mastodon:2"
        await pilot.press("k")
        assert cursor_id(app) == "rss:6"
        await pilot.press("G")
        assert cursor_id(app) == "mastodon:3"
        await pilot.press("g")
        assert cursor_id(app) == "mastodon:1"
        await pilot.press("down", "end", "up", "home")
        assert cursor_id(app) == "mastodon:1"


async def test_done_ignore_undo(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("d")  # done leaves the list; the cursor lands on the next group
        await settled(app)
        assert inbox.state("mastodon:1").status is Status.DONE
        assert "mastodon:1" not in rows(app) and cursor_id(app) == "rss:6"
        await pilot.press("i")
        await settled(app)
        assert inbox.state("rss:6").status is Status.IGNORED
        await pilot.press("u")
        await settled(app)
        assert inbox.state("rss:6").status is Status.NEW
        assert "rss:6" in rows(app)  # back in the list
        await pilot.press("u")
        await settled(app)
        assert inbox.state("mastodon:1").status is Status.NEW
        assert rows(app)[0] == "mastodon:1"
        await pilot.press("slash", *"status:done", "enter")
        await pilot.pause()
        assert rows(app) == []  # nothing is done any more
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo." in notifications(app)


async def test_tag_and_untag(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.press(*"bug refund", "enter")
        await pilot.pause()
        assert set(inbox.state("mastodon:1").tags) == {"bug", "refund"}
        assert "#bug #refund" in screen_text(app)
        await pilot.press("t", *"-bug", "enter")
        await settled(app)
        assert inbox.state("mastodon:1").tags == ("refund",)
        await pilot.press("t", "escape")  # cancelled: nothing changes
        await settled(app)
        assert inbox.state("mastodon:1").tags == ("refund",)


async def test_note_snooze_claim_assign(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("n", *"call back tomorrow", "enter")
        await settled(app)
        assert inbox.state("mastodon:1").notes[0].text == "call back tomorrow"
        await pilot.press("a", "enter")  # first choice: claim
        await settled(app)
        state = inbox.state("mastodon:1")
        assert state.claimed_by == "tester"
        await pilot.press("a", "down", "down", "enter")  # release
        await settled(app)
        assert inbox.state("mastodon:1").claimed_by is None
        await pilot.press("a", "down", "down", "down", "enter")  # assign to me
        await settled(app)
        assert inbox.state("mastodon:1").assignee == "tester"
        await pilot.press("a", "down", "down", "down", "down", "enter", *"sam", "enter")
        await settled(app)
        assert inbox.state("mastodon:1").assignee == "sam"
        await pilot.press("s", "enter")  # snooze 1 hour: leaves the list
        await pilot.pause()
        await settled(app)
        assert inbox.state("mastodon:1").snoozed_until is not None
        assert "mastodon:1" not in rows(app)
        await pilot.press("9")  # no such saved view
        await pilot.press("slash", *"is:snoozed", "enter")
        await pilot.pause()
        assert rows(app) == ["mastodon:1"]


async def test_handoff_picks_a_team_and_a_note(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("h", "down", "enter")  # second team: pr
        await pilot.press(*"influencer asks", "enter")
        await pilot.pause()
        await settled(app)
        handoff = inbox.state("mastodon:1").handoff
        assert handoff is not None and handoff.team == "pr" and handoff.note == "influencer asks"
        assert handoff.delivery is DeliveryStatus.PENDING


async def test_bulk_select_then_done(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("space", "space", "j", "space")  # select 1st, 2nd, 4th
        await pilot.pause()
        assert "3 selected" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        await settled(app)
        done = {g for g in ("mastodon:1", "rss:6", "mastodon:2", "hackernews:5", "mastodon:3")
                if inbox.state(g).status is Status.DONE}  # fmt: skip
        assert done == {"mastodon:1", "rss:6", "hackernews:5"}
        assert "selected" not in screen_text(app)
        await pilot.press("u")  # one action, one undo: the three come back
        await settled(app)
        assert all(inbox.state(g).status is Status.NEW
                   for g in ("mastodon:1", "rss:6", "hackernews:5"))  # fmt: skip


async def test_filter_narrows_as_you_type_and_errors_keep_the_list(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"platform:rss")
        await pilot.pause()
        assert rows(app) == ["rss:6"]
        await pilot.press("space", '"')
        await pilot.pause()
        assert "a quote is opened but never closed" in screen_text(app)
        assert rows(app) == ["rss:6"]  # the last good list stays
        app.screen.query_one("#filter").value = "platform:rss status:bogus"  # as if pasted
        await pilot.pause()
        assert "unknown status 'bogus'" in screen_text(app)
        assert rows(app) == ["rss:6"]
        app.screen.query_one("#filter").value = ""
        await pilot.press(*"-lumio")
        await pilot.pause()
        assert rows(app) == []
        assert "No mention matches this filter." in screen_text(app)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(rows(app)) == 5


async def test_saved_views(make_app, inbox):
    inbox.assign("mastodon:2", "tester")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        assert rows(app) == ["mastodon:1"]
        assert "view: urgent" in screen_text(app)
        await pilot.press("3")
        assert rows(app) == ["mastodon:2"]
        await pilot.press("5")  # brand:Lumio (competitors get no view)
        assert "hackernews:5" not in rows(app) and len(rows(app)) == 4
        await pilot.press("0")
        assert len(rows(app)) == 5


async def test_help_lists_every_key(make_app):
    app = make_app()
    async with app.run_test(size=(100, 70)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for description in ("Filter", "Tag", "Reply", "Hand off", "Claim/assign", "Done",
                            "Ignore", "Snooze", "Note", "Undo", "View 1", "Down", "Select",
                            "Send reply", "Template", "Quit"):  # fmt: skip
            assert description in text, description
        await pilot.press("escape")
        await pilot.pause()
        assert "veille — keys" not in screen_text(app)


async def test_keys_can_be_remapped(make_app, inbox):
    app = make_app(keymap={"inbox.done": "x"})
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await settled(app)
        assert inbox.state("mastodon:1").status is Status.DONE


async def test_command_palette_offers_actions(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Done")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await settled(app)
        assert inbox.state("mastodon:1").status is Status.DONE


async def test_reply_send_and_draft_survives(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "r")  # mastodon:2, bob
        await pilot.pause()
        await settled(app)
        assert inbox.state("mastodon:2").claimed_by == "tester"
        await pilot.press(*"Hello bob")
        await pilot.pause()
        assert app.drafts.get("mastodon:2") == "Hello bob"
        assert "9/500" in screen_text(app)
    # a new app (as after a crash) finds the draft again
    app2 = make_app()
    async with app2.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "r")
        await pilot.pause()
        assert app2.screen.query_one("#reply-text").text == "Hello bob"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await settled(app2)
        state = inbox.state("mastodon:2")
        assert [r.text for r in state.replies] == ["Hello bob"]
        assert state.replies[0].status is DeliveryStatus.MANUAL  # no outbound service here
        assert state.claimed_by is None
        assert app2.drafts.get("mastodon:2") == ""


async def test_template_fills_author_and_brand(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r", "ctrl+t")
        await pilot.pause()
        assert app.screen.query_one("#reply-text").text == "Bonjour @ana, merci ! L'équipe Lumio."


async def test_too_long_reply_asks_before_sending(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        app.screen.query_one("#reply-text").load_text("x" * 501)
        await pilot.pause()
        assert "too long for mastodon: 501/500" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Send anyway?" in screen_text(app)
        await pilot.press("n")
        await settled(app)
        assert inbox.state("mastodon:1").replies == ()
        await pilot.press("ctrl+s", "y")
        assert len(inbox.state("mastodon:1").replies) == 1


async def test_reply_to_a_group_claimed_by_someone_else_asks(make_app, store_path, inbox):
    with Inbox.open(store_path, user="sam") as other:
        other.claim("mastodon:1")
    inbox.refresh()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "✎sam" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert "sam is answering this" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        await settled(app)
        assert inbox.state("mastodon:1").claimed_by == "sam"
        await pilot.press("r", "y")
        await pilot.pause()
        await settled(app)
        assert inbox.state("mastodon:1").claimed_by == "tester"


async def test_two_apps_on_one_store_see_each_other(make_app, store_path):
    box_a = Inbox.open(store_path, user="ana")
    box_b = Inbox.open(store_path, user="bob")
    app_a = make_app(inbox=box_a, poll_interval=0.05)
    app_b = make_app(inbox=box_b, poll_interval=0.05)
    try:
        async with app_a.run_test(size=(160, 48)) as pa, app_b.run_test(size=(160, 48)) as pb:
            await pa.pause()
            await pb.pause()
            await pa.press("a", "enter")  # ana claims the top group
            for _ in range(40):
                await pb.pause(0.05)
                if "✎ana" in screen_text(app_b):
                    break
            assert "✎ana" in screen_text(app_b)
            await pb.press("r")
            await pb.pause()
            assert "ana is answering this" in screen_text(app_b)
            await pb.press("n", "d")
            for _ in range(40):  # bob's "done" reaches ana's screen: the group leaves it
                await pa.pause(0.05)
                if "mastodon:1" not in app_a.screen.query_one(MentionList).ids:
                    break
            assert "mastodon:1" not in app_a.screen.query_one(MentionList).ids
            await settled(app_b)
            assert box_a.state("mastodon:1").status is Status.DONE
    finally:
        box_a.close()
        box_b.close()


async def test_empty_store_says_so(make_app, tmp_path):
    with Inbox.open(tmp_path / "empty", user="tester") as box:
        app = make_app(inbox=box)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert "Inbox zero" in screen_text(app)
            await pilot.press("d", "r", "t")  # nothing to act on: says so, does not crash
            await pilot.pause()
            assert "Nothing selected." in notifications(app)


async def test_overdue_clock_shows(make_app):
    app = make_app(
        sla_left=lambda view, now: (
            view.leader.created_at + timedelta(hours=1) - now
        ).total_seconds()
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "-35m" in text  # mastodon:1 is 95 minutes old against a 1 h target
        assert "3 SLA breached" in text  # 95, 200 and 600 minutes old
        assert NOW  # the fixed clock drives it


async def test_dashboard_opens_on_D_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "InboxScreen"


async def test_status_bar_shows_source_health(make_app):
    from tui.widgets.status_bar import SourceLine

    lines = [SourceLine("alerts", True, "2m ago"), SourceLine("masto", False, "HTTP 503")]
    app = make_app(health=lambda: lines)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "● alerts 2m ago" in text
        assert "✗ masto HTTP 503" in text
        assert " tester " in text


async def test_reply_checks_shown_before_sending(make_app, inbox):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        app.screen.query_one("#reply-text").load_text(
            "Bonjour {first_name}, pouvez-vous nous donner votre numéro de commande ?"
        )
        await pilot.pause()
        text = screen_text(app)
        assert "placeholder not filled: {first_name}" in text
        assert "asks for personal data" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Send anyway?" in screen_text(app)
        await pilot.press("escape")
        await settled(app)
        assert inbox.state("mastodon:1").replies == ()


async def test_keys_and_views_from_the_config_file(tmp_path, make_app, inbox):
    from sources.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(
        'user = "tester"\n'
        '[keys]\n"inbox.done" = "x"\n"list.down" = "ctrl+n,j"\n'
        '[views]\nhackers = "platform:hackernews"\nfeeds = "platform:rss"\n'
        '[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n',
        encoding="utf-8",
    )
    app = make_app(config=load_config(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n", "x")
        await settled(app)
        assert inbox.state("rss:6").status is Status.DONE
        await pilot.press("1")
        assert rows(app) == ["hackernews:5"]
        await pilot.press("2")
        assert rows(app) == []  # rss:6 is done: out of the list unless a status: term asks


async def test_a_thread_that_refuses_replies_says_so_when_the_editor_opens(make_app, tmp_path):
    from dataclasses import replace

    from store.inbox import Inbox
    from tests.tui.conftest import mention

    gated = replace(
        mention(7, "Lumio gated thread", platform="bluesky", author="sam", priority=99),
        extra={"uri": "at://did:plc:abc/app.bsky.feed.post/k7", "reply_disabled": True},
    )
    with Inbox.open(tmp_path / "gated", user="tester") as box:
        box.ingest([gated, mention(8, "Lumio open thread", priority=10)])
        app = make_app(inbox=box)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await pilot.press("r")  # the gated post ranks first: it is under the cursor
            await pilot.pause()
            assert "thread does not accept replies" in screen_text(app)
            await pilot.press("escape", "j", "r")
            await pilot.pause()
            assert "does not accept replies" not in screen_text(app)

