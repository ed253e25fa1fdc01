"""What reaches the terminal, and when: a key's result drawn without waiting for
Textual's next frame tick, a new list repainting only the rows that changed (and never
leaving a stale one), the scrollbar repainted only when its thumb moves, rows exactly
as wide as the list, keys typed in a burst after `/` landing in the filter line."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.scrollbar import ScrollBarRender

from store.inbox import Inbox
from triage.model import Author, Mention, TriageState
from triage.views import GroupView
from tui.widgets.mention_list import HEADER, MentionList, thumb
from tui.widgets.rows import RowStyles, row_segments

from .conftest import NOW, make_config, mention, screen_text

ROWS = 80


def many(tmp_path) -> Inbox:
    """80 groups, one author each (`writer00`…), ranked by priority."""
    box = Inbox.open(tmp_path / "store", user="tester")
    box.ingest(
        [
            Mention(
                id=f"rss:{n}", platform="rss", source="feed",
                url=f"https://blog.example/{n}",
                author=Author(name=f"writer{n:02d}", handle=f"@writer{n:02d}"),
                text=f"post number {n} about {'lamps' if n % 2 else 'glow'} and more",
                created_at=NOW - timedelta(minutes=n), fetched_at=NOW, brands=("Lumio",),
                priority=float(99 - n),
            )
            for n in range(ROWS)
        ]
    )  # fmt: skip
    return box


def app_for(box: Inbox):
    from tui.app import VeilleApp

    return VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0)


def list_lines(app) -> list[str]:
    """The list's rows as the terminal shows them (after the headers)."""
    mlist = app.screen.query_one(MentionList)
    region = mlist.content_region
    strips = app.screen._compositor.render_strips()[region.y + HEADER : region.bottom]
    return [strip.crop(region.x, region.right).text for strip in strips]


def assert_shows(app, ids: list[str]) -> None:
    """Every visible line holds its row's author, or nothing past the end."""
    box = app.inbox
    mlist = app.screen.query_one(MentionList)
    top = mlist.scroll_offset.y
    for n, line in enumerate(list_lines(app)):
        index = top + n
        if index < len(ids):
            author = box.view(ids[index]).leader.author.display
            assert author in line, (n, author, line)
        elif index > 0:
            assert not line.strip(), (n, line)


def spy_lines(mlist: MentionList) -> list[int]:
    drawn: list[int] = []
    render_line = mlist.render_line

    def spied(y: int):
        drawn.append(y)
        return render_line(y)

    mlist.render_line = spied  # type: ignore[method-assign]
    return drawn


async def test_a_new_list_repaints_only_the_rows_that_changed(tmp_path):
    with many(tmp_path) as box:
        app = app_for(box)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            mlist = app.screen.query_one(MentionList)
            ids = list(mlist.ids)
            assert_shows(app, ids)
            drawn = spy_lines(mlist)
            kept = ids[:6] + ids[20:]  # the first six rows stay where they are
            mlist.set_rows(kept)
            await pilot.pause()
            assert drawn and min(drawn) == HEADER + 6, sorted(set(drawn))
            assert_shows(app, kept)
            drawn.clear()
            mlist.set_rows(list(kept))  # the same rows: nothing to draw
            await pilot.pause()
            assert drawn == []
            shorter = kept[:3]  # the rest of the list becomes blank lines
            mlist.set_rows(shorter)
            await pilot.pause()
            assert_shows(app, shorter)
            mlist.set_rows([])
            await pilot.pause()
            assert "Inbox zero" in screen_text(app) or "Nothing here" in screen_text(app)
            mlist.set_rows(ids)
            await pilot.pause()
            assert_shows(app, ids)


async def test_filters_typed_and_cleared_leave_no_stale_row(tmp_path):
    with many(tmp_path) as box:
        app = app_for(box)
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()
            screen = app.screen
            mlist = screen.query_one(MentionList)
            for text in ("lamp", "lamps", "glo", "", "number 1", "writer0", ""):
                screen.set_filter(text)
                for _ in range(300):
                    if screen.shown_filter == text and screen._filter_run is None:
                        break
                    await asyncio.sleep(0.01)
                await pilot.pause()
                assert_shows(app, list(mlist.ids))
            await pilot.press("j", "j", "G", "k", "g")
            await pilot.pause()
            assert_shows(app, list(mlist.ids))


async def test_a_key_is_drawn_without_waiting_for_the_frame_timer(tmp_path):
    """Textual's 60 Hz timer is stopped: a cursor move must still reach the terminal
    (drawn at once when the screen has been still for a frame)."""
    with many(tmp_path) as box:
        app = app_for(box)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            timer = screen._update_timer
            timer.pause()
            timer.resume = lambda: None  # type: ignore[method-assign]
            frames: list[object] = []
            display = app._display

            def spy(screen, update):
                frames.append(update)
                display(screen, update)

            app._display = spy  # type: ignore[method-assign]
            await asyncio.sleep(0.05)  # longer than a frame since the last one
            mlist = screen.query_one(MentionList)
            await pilot.press("j")  # (not pilot.pause(): it draws a frame itself)
            await asyncio.sleep(0.02)
            assert mlist.cursor == 1
            assert frames, "the cursor move never reached the terminal"
            assert mlist._painted[HEADER + 1][4] is True  # the second row drawn as the cursor
            # a filter's rows answer a key too: drawn even a moment after the filter
            # line's echo of that key (within Textual's frame period)
            await app.workers.wait_for_complete()
            show = screen._show

            def just_after_a_frame(*args, **kwargs):
                screen._frame_at = time.monotonic()  # as if the echo had just been drawn
                show(*args, **kwargs)

            screen._show = just_after_a_frame
            await asyncio.sleep(0.05)
            await pilot.press("slash", *"glow")
            for _ in range(300):
                if screen.shown_filter == "glow" and screen._filter_run is None:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
            first = mlist.ids[0]
            assert "glow" in box.view(first).leader.text
            assert mlist._painted[HEADER][0] == first, "the rows never reached the terminal"


async def test_keys_typed_in_a_burst_after_slash_reach_the_filter(tmp_path):
    """The terminal sends a burst at once: `/` and the letters behind it are all queued
    before `/` is handled. They must be typed into the filter line, not lost."""
    with many(tmp_path) as box:
        app = app_for(box)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            for key, char in (("slash", "/"), *((c, c) for c in "lamp")):
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)  # as the terminal does: all queued at once
            await pilot.pause()
            assert screen.query_one("#filter").value == "lamp"
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.shown_filter == "lamp"
            assert all("lamps" in box.view(g).leader.text for g in screen.query_one(MentionList).ids)
            # `/` typed in the filter line or in the reply editor is a character
            await pilot.press("slash", "x")
            assert screen.query_one("#filter").value == "lamp/x"


async def test_slash_in_the_reply_editor_is_typed(inbox, make_app):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        editor = app.screen.query_one("#reply-text")
        assert app.focused is editor
        before = editor.text
        await pilot.press(*"a/b")
        assert editor.text == before + "a/b" or editor.text.endswith("a/b")
        assert not app.screen.query_one("#filter-bar").display


def test_the_thumb_is_where_textual_draws_it():
    """`thumb` says two virtual heights draw the same bar only when Textual's own
    renderer draws the same segments (else a stale thumb would stay on screen)."""

    class Bar:
        def __init__(self, size: int, position: float) -> None:
            self.size = Size(1, size)
            self.window_size = size
            self.position = position

    def drawn(size: int, virtual: int, position: float) -> list[tuple[str, Style | None]]:
        window = size if size < virtual else 0
        bar = ScrollBarRender.render_bar(size=size, virtual_size=virtual, window_size=window,
                                         position=position)  # fmt: skip
        return [(s.text, s.style) for s in bar.segments]

    same = 0
    for size, position in itertools.product((10, 46), (0, 3, 17.5, 40)):
        heights = [h for h in (5, 46, 47, 60, 61, 500, 700, 2000, 2100, 100_001)
                   if position <= max(0, h - size)]  # fmt: skip
        for a, b in itertools.combinations(heights, 2):
            bar = Bar(size, position)
            if thumb(bar, a) == thumb(bar, b):  # type: ignore[arg-type]
                same += 1
                assert drawn(size, a, position) == drawn(size, b, position), (size, a, b)
    assert same > 10  # the case that matters: big lists of different lengths


def test_rows_are_exactly_as_wide_as_the_list():
    """Emoji joined by U+200D, or with a variation selector, measure less (or more)
    than their characters: a row cut by characters overflowed its line by a cell."""
    texts = [
        "Fresh cream palmier gets my vote for #star baker 👨\u200d🍳😘😋💗 just catching up " * 3,
        "Best part of today are these $3 burritos💀☠️ @ChipotleTweets hmm " * 3,
        "SLC➡️SAN DIEGO! 🛫 great crew 🍷 " * 4,
        "plain ascii " * 20,
    ]
    style = Style()
    styles = RowStyles(*(style for _ in range(10)))
    for text, width in itertools.product(texts, (61, 97, 120, 159, 200)):
        view = _view(text)
        segments = row_segments(view, NOW, width, styles, lambda v, n: None)
        assert sum(cell_len(s.text) for s in segments) == width, (width, text[:30])


def _view(text: str) -> GroupView:
    m = mention(1, text, author="ana")
    return GroupView(m.id, [m], TriageState(m.id))
