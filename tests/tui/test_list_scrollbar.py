"""The mention list draws its scrollbar in its own lines (no layout of the screen when
a filter makes it come or go, no repaint of a whole scrollbar column when its thumb
moves). It must look exactly as Textual's own scrollbar did: a list beside it that keeps
Textual's scrollbar shows the same cells, for lists that fit, just overflow or are long,
at every scroll position; and a filter that makes the scrollbar come and go redraws
only the list, never the screen's layout."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size, Spacing
from textual.widget import Widget

import tui.widgets
from store.inbox import Inbox
from triage.model import Author, Mention
from tui.widgets.mention_list import MentionList

from .conftest import NOW

HEIGHT = 20  # lines of each list (one of headers)


class TextualBar(MentionList):
    """The list as it was: Textual's ScrollBar widget, laid out when it comes or goes."""

    @property
    def scrollbar_gutter(self) -> Spacing:
        return Widget.scrollbar_gutter.fget(self)  # type: ignore[attr-defined]

    @property
    def allow_vertical_scroll(self) -> bool:
        return Widget.allow_vertical_scroll.fget(self)  # type: ignore[attr-defined]

    def _bar(self, window: int, virtual: int, top: int) -> None:
        return None

    def _set_height(self, height: int) -> None:
        self.virtual_size = Size(self.size.width, height)


class Lists(App[None]):
    CSS_PATH: ClassVar[list[str | Path]] = [Path(tui.widgets.__file__).parent / "mention_list.tcss"]
    CSS = f"""
    Horizontal {{ height: {HEIGHT}; }}
    MentionList {{ width: 60; height: {HEIGHT}; }}
    #ref {{ overflow-y: auto; }}
    """

    def __init__(self, box: Inbox) -> None:
        super().__init__()
        self.box = box

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield MentionList(view_of=self.box.view, now=lambda: NOW, id="mine")
            yield TextualBar(view_of=self.box.view, now=lambda: NOW, id="ref")


def cells(app: App, widget: Widget) -> list[list[tuple]]:
    """Each cell of the widget's lines on screen: its text and what styles it."""
    region = widget.region
    lines = app.screen._compositor.render_strips()[region.y : region.bottom]
    out = []
    for line in lines:
        row = []
        for seg in line.crop(region.x, region.right):
            s = seg.style
            for char in seg.text:
                row.append((char, s.color, s.bgcolor, s.bold, s.italic, s.underline, s.reverse))
        out.append(row)
    return out


@pytest.fixture
def box(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as inbox:
        inbox.ingest(
            Mention(
                id=f"rss:{n}", platform="rss", source="feed", url=f"https://blog.example/{n}",
                author=Author(name=f"writer{n:03d}", handle=f"@writer{n:03d}"),
                text=f"post number {n} about the lamp", created_at=NOW - timedelta(minutes=n),
                fetched_at=NOW, brands=("Lumio",), priority=float(300 - n),
            )
            for n in range(150)
        )  # fmt: skip
    with Inbox.open(path, user="tester") as inbox:
        yield inbox


@pytest.mark.parametrize("rows", [0, 5, HEIGHT - 2, HEIGHT - 1, HEIGHT, 21, 60, 150])
async def test_the_list_draws_the_scrollbar_textual_drew(box, rows):
    app = Lists(box)
    ids = box.ranked_ids(now=NOW)[:rows]
    async with app.run_test(size=(130, HEIGHT + 4)) as pilot:
        mine, ref = app.query_one("#mine", MentionList), app.query_one("#ref", MentionList)
        app.set_focus(None)  # both draw the cursor unfocused
        for index in (0, 7, HEIGHT + 3, rows // 2, rows - 1):
            for widget in (mine, ref):
                widget.set_rows(ids)
                widget.move_to(index)
            await pilot.pause()
            assert mine.scroll_offset == ref.scroll_offset
            assert cells(app, mine) == cells(app, ref), (rows, index)
        assert mine.scrollable_content_region.width == ref.scrollable_content_region.width
        assert ref.show_vertical_scrollbar == (rows + 1 > HEIGHT)  # the reference is Textual's


async def test_the_scrollbar_comes_and_goes_without_a_layout(box):
    """Long, then short (it goes), then long again (it comes): no layout of the screen,
    and the cells are those of Textual's scrollbar (laid out) each time."""
    app = Lists(box)
    ranked = box.ranked_ids(now=NOW)
    sizes = (ranked, ranked[:4], ranked[:90], ranked[:3], ranked)
    async with app.run_test(size=(130, HEIGHT + 4)) as pilot:
        mine, ref = app.query_one("#mine", MentionList), app.query_one("#ref", MentionList)
        app.set_focus(None)
        await pilot.pause()
        layouts = []
        original = app.screen._refresh_layout

        def counted(*args, **kwargs):
            layouts.append(1)
            return original(*args, **kwargs)

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
        for ids in sizes:
            mine.set_rows(ids)
            await pilot.pause()
            assert not layouts, len(ids)
        for ids in sizes:  # the reference, laid out each time its scrollbar comes or goes
            mine.set_rows(ids)
            ref.set_rows(ids)
            await pilot.pause()
            assert cells(app, mine) == cells(app, ref), len(ids)
        assert layouts  # Textual's scrollbar: laid out
