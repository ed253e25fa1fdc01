"""The person pane (key p) and the filter person:TAG, driven with Pilot on a real store:
the record across linked handles, VIP on/off and a note written to the people list,
hostile names and notes shown as the text they are."""

from __future__ import annotations

import asyncio

from store.people import PeopleFile
from triage.people import add_note, link, set_tags
from tui.widgets.mention_list import MentionList
from tui.widgets.person_pane import PersonPane

from .conftest import HOSTILE, NOW, screen_text


def _rows(app) -> list[str]:
    return [v.group_id for v in app.screen.query_one(MentionList).rows]


async def _until(pilot, cond, what: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await pilot.pause()
        if cond():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _people(store_path):
    return PeopleFile(store_path)


async def test_p_shows_the_author_across_platforms_and_edits_their_record(make_app, store_path):
    _people(store_path).update(
        lambda p: add_note(
            set_tags(link(p, ["@ana", "ana.bsky.social"], name=HOSTILE[0]), "ana", ["vip"]),
            "ana", " ".join(HOSTILE), "camille", NOW,
        )
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        assert _rows(app)[0] == "mastodon:1"  # by @ana
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, PersonPane) and app.screen.text, "pane")
        text = screen_text(app)
        assert "[link=https://evil.example]click me[/link]" in text  # her name, literally
        assert "ana, ana.bsky.social" in text and "tags: #vip" in text
        assert "posts (1):" in text and "remboursement" in text
        assert "\x1b" not in app.screen.text and "\u202e" not in app.screen.text
        await pilot.press("v")
        await _until(pilot, lambda: "tags: none" in app.screen.text, "VIP removed")
        assert _people(store_path).load().find("ana").tags == ()
        await pilot.press("n")
        await pilot.pause()
        for key in "prefers DMs":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await _until(pilot, lambda: "prefers DMs" in app.screen.text, "the note")
        notes = _people(store_path).load().find("ana.bsky.social").notes
        assert notes[-1].text == "prefers DMs" and notes[-1].by == "tester"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PersonPane)


async def test_the_filter_person_vip_keeps_the_vips_groups(make_app, store_path):
    _people(store_path).update(
        lambda p: set_tags(set_tags(link(p, ["@ana"]), "ana", ["vip"]), "@chloe", ["vip"])
    )
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        for key in "person:vip":
            await pilot.press(key)
        await pilot.press("enter")
        await _until(pilot, lambda: len(_rows(app)) == 2, "the filtered list")
        assert _rows(app) == ["mastodon:1", "mastodon:3"]  # ana's story, chloe's post
        await pilot.press("escape")
        await _until(pilot, lambda: len(_rows(app)) > 2, "the whole list again")


async def test_p_with_no_person_record_still_shows_their_posts(make_app):
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("j", "p")
        await _until(pilot, lambda: isinstance(app.screen, PersonPane) and app.screen.text, "pane")
        assert "tags: none" in app.screen.text and "posts (1):" in app.screen.text


async def test_unmaking_a_vip_in_the_pane_updates_a_person_vip_list(make_app, store_path):
    _people(store_path).update(lambda p: set_tags(link(p, ["@ana"]), "ana", ["vip"]))
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"person:vip", "enter")
        await _until(pilot, lambda: _rows(app) == ["mastodon:1"], "ana's group alone")
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, PersonPane) and app.screen.text, "pane")
        await pilot.press("v")
        await _until(pilot, lambda: "tags: none" in app.screen.text, "VIP removed")
        await pilot.press("escape")
        await _until(pilot, lambda: _rows(app) == [], "an empty person:vip list")
