"""The thread pane follows the cursor in small steps (tui/widgets/pane_lines.py): a key
pressed while it wraps is answered first, the pane ends on the group under the cursor,
what it shows is what one wrap of the whole text shows, and its own scrollbar looks as
Textual's and never lays out the screen. Real tweets (../shared/data/twcs-sample.csv)
where the text matters, skipped if absent."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from store.inbox import Inbox
from tests.realdata import twcs_sample
from triage.model import Author, Mention
from tui.safe import plain
from tui.widgets.mention_list import MentionList
from tui.widgets.pane_lines import drain, fewest_lines, wrapping
from tui.widgets.thread_view import ThreadInfo, ThreadView, render_group

from .conftest import HOSTILE, NOW, make_config, mention, screen_text

# a post of many short paragraphs: dozens of wrapping steps
LONG = "\n".join(f"paragraph {n}: the Lumio lamp flickers again, see the photo" for n in range(80))


@pytest.fixture
def tall_store(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(
            mention(n, f"post {n}\n{LONG}", author=f"author{n:02}", priority=float(100 - n))
            for n in range(1, 21)
        )  # fmt: skip
    return path


def make_app(box, **kwargs):
    from tui.app import VeilleApp

    kwargs.setdefault("pane_delay", 0.01)
    return VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, **kwargs)


async def settle(pane: ThreadView) -> None:
    for _ in range(500):
        await asyncio.sleep(0.01)
        if pane.settled and pane._job:
            return
    raise AssertionError("the pane never finished wrapping")


async def test_a_key_pressed_while_the_pane_wraps_moves_the_cursor_first(tall_store):
    with Inbox.open(tall_store, user="tester") as box:
        app = make_app(box, pane_delay=60)  # the panes follow only when asked below
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            mlist, pane = screen.query_one(MentionList), screen.query_one(ThreadView)
            seen: list[tuple[int, bool]] = []  # (cursor, pane still wrapping) at each move
            mlist.watch(mlist, "cursor", lambda c: seen.append((c, not pane.settled)), init=False)
            screen.sync_panes(soon=True)  # the first group, in steps
            assert not pane.settled
            app._driver.send_message(events.Key("j", "j"))
            for _ in range(500):
                await asyncio.sleep(0.001)
                if seen:
                    break
            assert seen == [(1, True)]  # the key moved the cursor before the pane was done
            screen.sync_panes(soon=True)  # the cursor rests on the second group
            await settle(pane)
            await pilot.pause()
            assert pane._group == mlist.current.group_id == mlist.ids[1]
            assert "post 2\n" in pane.visual.plain and "post 1\n" not in pane.visual.plain
            assert "post 2" in screen_text(app)  # drawn, not only held
            assert screen.query_one("#editor").target == mlist.ids[1]


async def test_the_pane_ends_on_the_group_the_cursor_rests_on(tall_store):
    """Keys faster than the pane, then a rest: the pane shows the cursor's group, the
    editor points at it, and a group the pane never showed is not marked read."""
    with Inbox.open(tall_store, user="tester") as box:
        app = make_app(box, pane_delay=0.005)  # the pane starts between the keys
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            mlist, pane = screen.query_one(MentionList), screen.query_one(ThreadView)
            await settle(pane)
            shown: list[str] = []
            swap = pane._swap
            pane._swap = lambda wrapped, group, width: (shown.append(group), swap(wrapped, group, width))
            for _ in range(6):  # a key every 12 ms: the pane's wrapping starts between them
                app._driver.send_message(events.Key("j", "j"))
                await asyncio.sleep(0.012)
            await settle(pane)
            await pilot.pause()
            current = mlist.current
            assert mlist.cursor == 6 and pane._group == current.group_id
            assert pane.visual.plain.startswith(current.leader.author.display)
            assert f"post {mlist.cursor + 1}\n" in pane.visual.plain
            assert f"post {mlist.cursor + 1}" in screen_text(app)
            assert screen.query_one("#editor").target == current.group_id
            assert shown[-1] == current.group_id
            assert len(shown) < 6  # wrappings the next key made moot were dropped
            for gid in mlist.ids[1:6]:  # passed over
                if gid not in shown:
                    assert box.is_unread(box.view(gid)), gid
            assert not box.is_unread(current)


def tweet_mentions() -> list[Mention]:
    sample = twcs_sample()
    texts = list(HOSTILE)
    if sample is not None:
        with sample.open(newline="", encoding="utf-8") as f:
            texts += [r["text"] for r in csv.DictReader(f) if r.get("text")][:120]
    texts.append(LONG)
    texts.append("https://example.org/" + "very-long-path/" * 12 + " a URL longer than the pane")
    return [
        Mention(
            id=f"rss:{n}", platform="rss", source="twcs", url=f"https://t.example/{n}",
            author=Author(name=f"a{n % 7}", handle=f"@a{n % 7}"), text=text,
            created_at=NOW - timedelta(minutes=n), fetched_at=NOW, brands=("Lumio",),
            priority=float(n % 100),
        )
        for n, text in enumerate(texts)
    ]  # fmt: skip


async def test_the_pane_wrapped_in_steps_is_the_text_wrapped_at_once(tmp_path):
    """Every real tweet's pane (with the author's other posts), hostile ones and tall
    ones: the lines made paragraph by paragraph are those of one wrap of the whole text,
    at the width Textual would have used (less its scrollbar's when taller than the pane),
    and markup or escapes in the text never become styles."""
    mentions = tweet_mentions()
    with Inbox.open(tmp_path / "s", user="tester") as box:
        box.ingest(mentions)
        app = make_app(box)
        async with app.run_test(size=(150, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            pane = app.screen.query_one(ThreadView)
            pane_height = pane.content_region.height
            options = RenderOptions(pane._get_style, pane.styles)
            tall = short = 0
            for m in mentions:
                view = box.view(box.resolve(m.id))
                info = ThreadInfo()
                info.author_history, info.our_replies = app.author_history(view)

                def render(width: int) -> Content:
                    return render_group(view, info, NOW, width=width)  # noqa: B023

                for width, window in ((30, pane_height), (57, pane_height), (88, 120)):
                    got = drain(wrapping(render, width, 2, window, options, pane.visual_style,
                                         pane.link_style))  # fmt: skip
                    whole = Visual.to_strips(pane, render(width), width, None, pane.visual_style)
                    assert fewest_lines(render(width), width) <= len(whole)
                    bar = len(whole) > window
                    assert got.bar == bar and got.width == (width - 2 if bar else width)
                    if bar:
                        whole = Visual.to_strips(pane, render(width - 2), width - 2, None,
                                                 pane.visual_style)  # fmt: skip
                    assert [list(s) for s in got.strips] == [list(s) for s in whole], m.text
                    tall, short = tall + bar, short + (not bar)
                    text = "\n".join(s.text for s in got.strips)
                    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
            assert tall and short
            # the hostile texts are shown as text: their markup made no style and no link
            view = box.view(box.resolve(mentions[0].id))
            got = drain(wrapping(lambda w: render_group(view, ThreadInfo(), NOW, width=w), 88,
                                 2, pane_height, options, pane.visual_style, pane.link_style))  # fmt: skip
            assert "[link=https://evil.example]click me[/link]" in got.content.plain
            assert not any("evil" in str(seg.style) for s in got.strips for seg in s)


class Panes(App):
    """Textual's own scrollbar (a Static in a scrolling container with the pane's
    padding) beside the thread pane's, on the same text."""

    CSS = """
    Horizontal { height: 20; }
    #ref, #thread { width: 40; height: 20; background: $surface; }
    #ref, #thread { padding: 0 1; }
    """

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with Horizontal():
            with VerticalScroll(id="ref"):
                yield Static(self.content)
            yield ThreadView(id="thread")


def cells(app: App, x: int, width: int) -> list[list[tuple[str, object, object, bool]]]:
    """Each cell of 20 lines of the screen from column x: its text and colours."""
    lines = app.screen._compositor.render_strips()[:20]
    out = []
    for line in lines:
        row = []
        for seg in line.crop(x, x + width):
            style = seg.style
            for char in seg.text:
                row.append((char, style.color, style.bgcolor, bool(style.reverse)))
        out.append(row)
    return out


@pytest.mark.parametrize("paragraphs", [8, 19, 20, 21, 45, 300])
async def test_the_pane_draws_the_scrollbar_textual_draws(paragraphs):
    content = plain("\n".join(f"line {n} of the pane, long enough to wrap once or twice"
                              for n in range(paragraphs)))  # fmt: skip
    app = Panes(content)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ThreadView)
        ref = app.query_one("#ref", VerticalScroll)
        pane._set(lambda width: content, "g")
        await pilot.pause()
        for y in (0, 3, 17, 10_000):
            ref.scroll_to(y=y, animate=False, immediate=True)
            pane.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            assert pane.scroll_offset.y == ref.scroll_offset.y
            assert cells(app, 40, 40) == cells(app, 0, 40), (paragraphs, y)
        assert pane._bar == ref.show_vertical_scrollbar


async def test_the_scrollbar_comes_and_goes_without_a_layout(tall_store):
    with Inbox.open(tall_store, user="tester") as box:
        box.ingest([mention(99, "a short one", author="zed", priority=0.5)])
        app = make_app(box, pane_delay=0)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            pane = screen.query_one(ThreadView)
            layouts = []
            refresh_layout = screen._refresh_layout
            screen._refresh_layout = lambda *a, **k: (layouts.append(1), refresh_layout(*a, **k))
            assert pane._bar  # a tall post
            await pilot.press("end")  # the short one
            await pilot.pause()
            assert not pane._bar and "a short one" in screen_text(app)
            await pilot.press("k")
            await pilot.pause()
            assert pane._bar
            assert layouts == []
            # the pane scrolls with the keys and the wheel once focused, its thumb follows
            bar_column = pane.content_region.right - 1  # inside the padding
            thumb = [line.crop(bar_column, bar_column + 1) for line in screen._compositor.render_strips()]
            pane.focus()
            await pilot.press("pagedown")
            await pilot.pause()
            assert pane.scroll_offset.y > 0
            moved = [line.crop(bar_column, bar_column + 1) for line in screen._compositor.render_strips()]
            assert moved != thumb
            top = pane.scroll_offset.y
            await pilot._post_mouse_events([events.MouseScrollDown], ThreadView, (5, 5))
            await pilot.pause()
            assert pane.scroll_offset.y > top


async def test_a_resize_while_the_pane_wraps_shows_the_group_at_the_new_width(tall_store):
    with Inbox.open(tall_store, user="tester") as box:
        app = make_app(box, pane_delay=60)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            mlist, pane = screen.query_one(MentionList), screen.query_one(ThreadView)
            mlist.move_to(3)
            screen.sync_panes(soon=True)
            assert not pane.settled
            await pilot.resize_terminal(170, 44)
            await settle(pane)
            await pilot.pause()
            current = mlist.current
            assert pane._group == current.group_id and "post 4\n" in pane.visual.plain
            assert screen.query_one("#editor").target == current.group_id
            assert pane._width == pane.content_region.width - (2 if pane._bar else 0)
            assert "post 4" in screen_text(app)
