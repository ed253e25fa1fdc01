"""Hostile text through the list, the thread pane, the editor, notifications and help:
the screen shows it literally and nothing else happens (no crash, no quit, no link, no
escape sequence reaching the terminal)."""

from __future__ import annotations

import re
from datetime import timedelta

from store.inbox import Inbox
from triage.model import Author, Mention
from triage.text import sanitize

from .conftest import NOW, make_config, notifications, screen_text

MARKUP = [
    "[link=https://evil.example]click me[/link]",
    "[@click=app.quit]x[/]",
    "[B]bold?[/B] [$accent]accent[/]",
]
ESCAPES = "osc52 \x1b]52;c;aGVsbG8=\x07 title \x1b]0;pwned\x07 csi \x1b[31mred\x1b[0m c1 \x9b31m bidi \u202eevil\u202c end"


def hostile_mentions() -> list[Mention]:
    out = []
    for n, text in enumerate([*MARKUP, ESCAPES]):
        out.append(
            Mention(
                id=f"mastodon:h{n}",
                platform="mastodon",
                source="m",
                url="javascript:alert(1)" if n == 0 else f"https://ok.example/{n}",
                author=Author(name="[b]mal[/b]", handle="@[@click=app.quit]mal"),
                text=text,  # stored raw on purpose: the TUI must not trust the store either
                title="[link=https://evil.example]t[/link]" if n == 1 else "",
                created_at=NOW - timedelta(minutes=n + 1),
                fetched_at=NOW,
                brands=("Lumio",),
                priority=50 - n,
            )
        )
    return out


async def test_hostile_text_is_shown_literally_everywhere(tmp_path, make_app):
    with Inbox.open(tmp_path / "s", user="tester") as box:
        box.ingest(hostile_mentions())
        box.note("mastodon:h1", "[@click=app.quit]note[/]")
        box.tag("mastodon:h1", add=["[b]tag"])
        config = make_config()
        app = make_app(inbox=box, config=config)
        written: list[str] = []
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            driver = app._driver
            original = driver.write
            driver.write = lambda data: (written.append(data), original(data))[1]
            await pilot.pause()
            text = screen_text(app)
            # the list shows the markup literally
            for literal in MARKUP:
                assert literal[:30] in text, literal
            assert "@[@click=app.quit]mal" in text
            # escapes and controls are gone, the words around them stay
            assert "osc52 title csi red c1 bidi ev" in text
            # the thread pane of each
            for _ in range(4):
                app.screen.sync_panes()
                await pilot.pause()
                pane = screen_text(app)
                assert "\x1b" not in pane and "\x9b" not in pane and "\u202e" not in pane
                await pilot.press("j")
            assert sanitize(ESCAPES) in pane  # the 4th, in full, escapes gone
            await pilot.press("g")
            app.screen.sync_panes()
            await pilot.pause()
            assert "[link=https://evil.example]click me[/link]" in screen_text(app)
            # no link was made from the javascript: URL, the hostile markup made none either
            body = app.screen.query_one("#thread")
            spans = [s for s in body.visual.spans if "link" in repr(s.style)]
            assert spans == []
            await pilot.press("j")
            app.screen.sync_panes()
            await pilot.pause()
            assert "[@click=app.quit]note[/]" in screen_text(app)
            # clicking everywhere on the screen never quits the app
            for y in (0, 1, 2, 3, 5, 8, 10, 12):
                for x in (20, 40, 60, 125, 140, 160):
                    await pilot.click(offset=(x, y))
            assert app.is_running
            await pilot.press("escape", "escape")
            # the editor: a template-less reply with markup, sent; the notification shows it
            await pilot.press("g", "r")
            await pilot.pause()
            editor = app.screen.query_one("#reply-text")
            editor.load_text("[@click=app.quit]reply[/] \x1b]52;c;eA==\x07")
            await pilot.pause()
            assert "[@click=app.quit]reply[/]" in screen_text(app)
            assert "\x1b" not in editor.text and "\x07" not in editor.text  # pasted escapes go
            await pilot.press("escape")
            # notifications with hostile text (a hand-off without teams names no team, so
            # use a failing store action: undo with nothing to undo by another user)
            app.notify("[@click=app.quit]n[/] [link=x]y[/link]", markup=False)
            await pilot.pause(0.3)
            assert "[@click=app.quit]n[/] [link=x]y[/link]" in notifications(app)
            assert "[@click=app.quit]n[/] [link=x]y[/link]" in screen_text(app)
            # help still opens and lists keys
            await pilot.press("question_mark")
            await pilot.pause()
            assert "veille — keys" in screen_text(app)
            await pilot.press("escape")
            assert app.is_running
        output = "".join(written)
        assert "\x1b]52" not in output  # no clipboard write reached the terminal
        assert "\x1b]0;pwned" not in output  # no title change
        assert "\x9b" not in output
        assert "\u202e" not in output
        assert not re.search(r"\x1b\]8;[^;]*;[^\x1b]*evil", output)  # no hyperlink to it


async def test_hostile_team_name_and_tag_in_modals(make_app, inbox):
    config = make_config()
    from triage.config import TeamConfig

    config.teams = (TeamConfig("[@click=app.quit]sav[/]"),)
    app = make_app(config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "[@click=app.quit]sav[/]" in screen_text(app)
        await pilot.press("enter", *"[b]note", "enter")
        await pilot.pause()
        assert inbox.state("mastodon:1").handoff.team == "[@click=app.quit]sav[/]"
        assert app.is_running
        await pilot.press("t", *"[$accent]x", "enter")
        await pilot.pause()
        assert app.is_running


async def test_hostile_links_are_never_opened_copied_or_linked(tmp_path, make_app, monkeypatch):
    """`o` and `y` on a javascript: URL do nothing but say so; a hand-made reply full of
    markup and escapes is shown literally in the copy panel, with no link but the post's."""
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    with Inbox.open(tmp_path / "s", user="tester") as box:
        box.ingest(hostile_mentions())
        app = make_app(inbox=box)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.pause()
            assert app.screen.mention_list.current.leader.url == "javascript:alert(1)"
            await pilot.press("y", "o")
            await pilot.pause()
            assert app.clipboard == ""
            assert "This post has no web link to copy." in notifications(app)
            assert "This post has no web link to open." in notifications(app)
            await pilot.press("j", "r")  # https://ok.example/1, no posting API: by hand
            await pilot.pause()
            app.screen.query_one("#reply-text").load_text("[@click=app.quit]merci[/] [link=https://evil.example]x[/link]")
            await pilot.press("ctrl+s")
            await pilot.pause()
            if "Send anyway?" in screen_text(app):
                await pilot.press("y")
                await pilot.pause()
            text = screen_text(app)
            assert "[@click=app.quit]merci[/] [link=https://evil.example]x[/link]" in text
            links = [
                span.style.link
                for widget in app.screen.query("Static")
                for span in getattr(widget.visual, "spans", ())
                if getattr(span.style, "link", None)
            ]
            assert links == ["https://ok.example/1"]
            await pilot.press("escape")
            assert app.is_running
