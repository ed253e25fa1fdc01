"""The mention list: one row per group, drawn with Textual's Line API.

A `ScrollView` whose `render_line` draws only the visible rows from a list of group
ids (as Textualize's toolong does with log lines); a row's GroupView is built only when
it is drawn. 100,000 rows load as fast as a list assignment, where DataTable needs
seconds and ListView is unusable past 1k.
Rendered rows are cached by (group, state revision, width, cursor, selection, minute).
The first line is the column headers, which stay put while the rows scroll under them.
The cursor row is drawn in reverse video, the one mark every colour mode (and NO_COLOR,
and a monochrome terminal) shows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from math import ceil
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from triage.model import utcnow
from triage.views import GroupView
from tui.widgets.pane_lines import scrollbar_cells
from tui.widgets.rows import RowStyles, header_segments, row_segments

HEADER = 1  # lines of column headers above the rows


def thumb(bar: ScrollBar, virtual: int) -> tuple[int, ...]:
    """Where a vertical scrollbar draws its thumb for a virtual height (in eighths of a
    cell, as textual.scrollbar.ScrollBarRender.render_bar computes it)."""
    size = bar.size.height
    window = bar.window_size if bar.window_size < virtual else 0
    if not (window and size and virtual and size != virtual):
        return (size,)
    thumb_size = max(1, window / (virtual / size))
    start = int((size - thumb_size) * (bar.position / (virtual - window)) * 8)
    return (size, start, start + ceil(thumb_size * 8))


def _no_sla(view: GroupView, now: datetime) -> float | None:
    return None


class MentionList(ScrollView, can_focus=True):
    """Ranked groups, cursor, and a selection for bulk actions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False),
        Binding("g,home", "cursor_top", "Top", id="list.top", show=False),
        Binding("G,end", "cursor_bottom", "Bottom", id="list.bottom", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", id="list.page_down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", id="list.page_up", show=False),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("space", "toggle_select", "Select", id="list.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "mention-list--cursor",
        "mention-list--cursor-blur",
        "mention-list--header",
        "mention-list--title",
        "mention-list--urgent",
        "mention-list--high",
        "mention-list--low",
        "mention-list--overdue",
        "mention-list--dim",
        "mention-list--tag",
        "mention-list--claimed",
        "mention-list--mark",
        "mention-list--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    class Highlighted(Message):
        """The cursor moved to another group (or the list changed under it)."""

        def __init__(self, view: GroupView | None) -> None:
            super().__init__()
            self.view = view

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Opened(Message):
        def __init__(self, view: GroupView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        *,
        view_of: Callable[[str], GroupView],
        now: Callable[[], datetime] = utcnow,
        sla_left: Callable[[GroupView, datetime], float | None] = _no_sla,
        user: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.ids: Sequence[str] = []
        self.view_of = view_of
        self.selected: set[str] = set()
        self.empty_message = "Nothing here."
        self._now = now
        self._sla_left = sla_left
        self._user = user
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles: RowStyles | None = None
        self.first_paint: float | None = None  # perf_counter() of the first row drawn since
        # it was last reset to None (bench/tui.py times launch and keys with it)
        self._painted: dict[int, tuple] = {}  # line -> the `_line_key` last drawn there
        self._frame_keys: tuple | None = None  # while a frame is drawn (`_key_context`)
        self._bar_cells: tuple[tuple[int, int, int], tuple[Segment, ...]] | None = None
        self._pending = False  # some line was asked to repaint and is not drawn yet
        self._after_paint: list[Callable[[], None]] = []  # called once those lines are drawn

    # ------------------------------------------------------------------ data in
    @property
    def rows(self) -> list[GroupView]:
        """Every row's view (builds them all: for tests and small lists only)."""
        return [self.view_of(g) for g in self.ids]

    def set_rows(self, ids: Sequence[str], keep: str | None = None, *, partial: bool = False) -> None:
        """Show the groups `ids` (ranked); keep the cursor on group `keep` if still there.

        `partial`: the first rows of a list still being computed (a filter's first
        screenful). The scrollbar keeps the length it has, if longer, until the whole
        list comes: a thumb grown for 128 rows and shrunk again for 26,000 moments later
        repainted the scrollbar's column twice (2-11 ms a frame)."""
        current = keep if keep is not None else self.current_id
        self.ids = ids
        index = 0
        if current is not None:
            try:
                index = ids.index(current)
            except ValueError:
                index = min(self.cursor, max(0, len(ids) - 1))
        height = len(ids) + HEADER
        if not partial or height > self.virtual_size.height:
            self._set_height(height)
        self.set_reactive(MentionList.cursor, index)
        self._scroll_cursor_into_view()  # a scroll repaints the whole list itself
        self._refresh_changed()
        self.post_message(self.Highlighted(self.current))  # the panes skip what they show

    def _set_height(self, height: int) -> None:
        """The scrollable height, without a layout of the screen.

        Assigning `virtual_size` lays out the whole screen (~40 ms at 160x48, most of a
        filter keystroke, and of an End key that loads a page), and Textual's scrollbar
        repainted its whole column whenever its thumb moved (2-11 ms). The list's region
        does not depend on its rows and its scrollbar is drawn in its own lines
        (`_bar`): only the lines whose cells change are repainted (`_refresh_changed`).
        """
        size = Size(self.size.width, height)
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        self.set_reactive(Widget.virtual_size, size)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    @property
    def allow_vertical_scroll(self) -> bool:
        """Scrollable when longer than the list (Textual asks its own scrollbar)."""
        return not self._check_disabled() and self.virtual_size.height > self.size.height

    @property
    def current(self) -> GroupView | None:
        gid = self.current_id
        return self.view_of(gid) if gid is not None else None

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor < len(self.ids):
            return self.ids[self.cursor]
        return None

    def targets(self) -> list[GroupView]:
        """What an action applies to: the selection if any, else the cursor's group."""
        if self.selected:
            return [self.view_of(g) for g in self.ids if g in self.selected]
        current = self.current
        return [current] if current is not None else []

    def clear_selection(self) -> None:
        if self.selected:
            self.selected.clear()
            self._cache.clear()
            self.refresh()
            self.post_message(self.SelectionChanged(0))

    # ------------------------------------------------------------------ drawing
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._bar_cells = None
        self._cache.clear()

    def _row_styles(self) -> RowStyles:
        if self._styles is None:
            base = self.rich_style

            def comp(name: str) -> Style:
                return base + self.get_component_rich_style(f"mention-list--{name}", partial=True)

            self._styles = RowStyles(
                base=base,
                urgent=comp("urgent"),
                high=comp("high"),
                low=comp("low"),
                overdue=comp("overdue"),
                dim=comp("dim"),
                tag=comp("tag"),
                claimed=comp("claimed"),
                mark=comp("mark"),
                title=comp("title"),
            )
        return self._styles

    @property
    def rows_height(self) -> int:
        """How many rows fit under the headers."""
        return max(1, self.scrollable_content_region.height - HEADER)

    def _key_context(self) -> tuple:
        """What every line's key shares (Textual's geometry properties cost ~20 µs each:
        read once per frame, not once per line): (first row's index less the headers,
        the rows' width, cursor, minute, the scrollbar's cell per line or None)."""
        region, top = self.scrollable_content_region, self.scroll_offset.y  # less the bar
        bar = self._bar(region.height, self.virtual_size.height, top)
        return (top - HEADER, region.width, self.cursor, int(self._now().timestamp()) // 60, bar)

    @property
    def scrollbar_gutter(self) -> Spacing:
        """The column the list's own scrollbar takes when drawn (`_bar`): the rows'
        region (`scrollable_content_region`) is the one Textual's scrollbar left."""
        if self.virtual_size.height > self.size.height:
            return Spacing(0, self.styles.scrollbar_size_vertical, 0, 0)
        return Spacing(0, 0, 0, 0)

    def _bar(self, window: int, virtual: int, top: int) -> tuple[Segment, ...] | None:
        """The scrollbar's cell on each line as Textual's ScrollBar draws it (without
        its mouse hover and drag), or None when every row fits."""
        if virtual <= window:
            return None
        known = self._bar_cells
        if known is not None and known[0] == (window, virtual, top):
            return known[1]
        styles = self.styles
        background, color = styles.scrollbar_background, styles.scrollbar_color
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + color
        cells = tuple(scrollbar_cells(
            window, virtual, top, styles.scrollbar_size_vertical,
            Style.from_color(color.rich_color, background.rich_color), self.visual_style.rich_style,
        ))  # fmt: skip
        self._bar_cells = ((window, virtual, top), cells)
        return cells

    def _line_key(self, y: int, context: tuple | None = None) -> tuple:
        """What line `y` shows: the row cache's key, or the headers, the empty list's
        message or a blank (their first item is ""), then the scrollbar's cell; two
        equal keys draw the same cells."""
        top, width, cursor, minute, bar = context or self._frame_keys or self._key_context()
        cell = bar[y] if bar is not None and y < len(bar) else None
        if y < HEADER:
            return ("", "header", width, cell)
        index = top + y
        if index >= len(self.ids):
            return ("", "empty", self.empty_message, width, cell) if index == 0 else (
                "", "blank", width, cell)  # fmt: skip
        gid = self.ids[index]
        view = self.view_of(gid)
        return (gid, view.state.rev, view.size, width, index == cursor, gid in self.selected,
                minute, cell)  # fmt: skip

    def after_paint(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the frame that draws the lines now pending is over (at
        once when none is pending). A filter's worker waits for it before scanning on:
        Textual's `call_after_refresh` ran before the list's repaint reached the screen,
        and the scan then took the GIL from that frame (13 ms of rows took 25)."""
        if self._pending:
            self._after_paint.append(callback)
        else:
            callback()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_keys = self._key_context()  # for each render_line of this frame
        try:
            return super().render_lines(crop)
        finally:
            self._frame_keys = None
            self._pending = False
            if self._after_paint:  # once this frame is out (the compositor is still at it)
                loop = asyncio.get_running_loop()
                for callback in self._after_paint:
                    loop.call_soon(callback)
                self._after_paint.clear()

    def _refresh_changed(self) -> None:
        """Repaint the lines whose content differs from what was last drawn there: a new
        filter result that keeps the top rows (the usual case while typing) repaints
        only what moved. The styles cache keeps the other lines' strips."""
        height = min(self.size.height, self.scrollable_content_region.height)
        painted, width, context = self._painted, self.size.width, self._key_context()
        start = None
        for y in range(height + 1):
            changed = y < height and painted.get(y) != self._line_key(y, context)
            if changed and start is None:
                start = y
            elif not changed and start is not None:
                self.refresh(Region(0, start, width, y - start))
                self._pending = True
                start = None

    def render_line(self, y: int) -> Strip:
        context = self._frame_keys or self._key_context()
        width, bar = context[1], context[4]
        key = self._line_key(y, context)
        self._painted[y] = key
        strip = self._row_strip(key, width) if key[0] else self._other_line(key, width)
        if bar is None:
            return strip
        cell = key[-1] or Segment(" " * len(bar[0].text), self.rich_style)
        return Strip([*strip, cell], width + cell.cell_length)

    def _other_line(self, key: tuple, width: int) -> Strip:
        """The headers, the empty list's message, or a blank line."""
        if key[1] == "header":
            style = self.rich_style + self.get_component_rich_style(
                "mention-list--header", partial=True
            )
            return Strip(header_segments(width, style), width)
        if key[1] == "empty":
            if self.first_paint is None:
                self.first_paint = time.perf_counter()
            style = self.get_component_rich_style("mention-list--empty")
            return Strip([Segment(" " + self.empty_message, style)]).adjust_cell_length(
                width, self.rich_style
            )
        return Strip.blank(width, self.rich_style)

    def _row_strip(self, key: tuple, width: int) -> Strip:
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
        key = key[:-1]  # the row's cells, whatever the scrollbar's
        strip = self._cache.get(key)
        if strip is None:
            gid, is_cursor, is_selected = key[0], key[4], key[5]
            segments = row_segments(
                self.view_of(gid), self._now(), width, self._row_styles(), self._sla_left,
                selected=is_selected, user=self._user,
            )  # fmt: skip
            strip = Strip(segments, width)
            if is_cursor:
                name = "mention-list--cursor" if self.has_focus else "mention-list--cursor-blur"
                strip = strip.apply_style(self.get_component_rich_style(name, partial=True))
            self._cache[key] = strip
        return strip

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self.ids) + HEADER)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    # ------------------------------------------------------------------ cursor
    def _refresh_row(self, index: int) -> None:
        """Repaint one row (a cursor move repaints two lines, not the list)."""
        y = index - self.scroll_offset.y + HEADER  # in the widget's own lines
        if HEADER <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._scroll_cursor_into_view()
        self._refresh_row(new)
        key_frame = getattr(self.screen, "key_frame", None)  # tui.widgets.frames
        if key_frame is not None:
            key_frame()
        self.post_message(self.Highlighted(self.current))

    def _scroll_cursor_into_view(self) -> None:
        height = self.rows_height
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, index: int) -> None:
        if not self.ids:
            return
        self.cursor = max(0, min(len(self.ids) - 1, index))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self.move_to(0)

    def action_cursor_bottom(self) -> None:
        self.move_to(len(self.ids) - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.rows_height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.rows_height - 1))

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    def action_toggle_select(self) -> None:
        view = self.current
        if view is None:
            return
        self.selected.symmetric_difference_update({view.group_id})
        self._cache.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(len(self.selected)))
        self.move_to(self.cursor + 1)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y - HEADER
        if event.y >= HEADER and 0 <= index < len(self.ids):
            self.focus()
            self.move_to(index)
