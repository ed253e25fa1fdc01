"""A text pane's lines, wrapped a few paragraphs at a time, and its scrollbar drawn in them.

The thread pane follows the cursor once it rests. Wrapping its text took 4-8 ms on real
tweets, and a layout of the whole screen when its scrollbar came or went 10-20 ms more,
all in one go on the UI thread: a key pressed meanwhile (keys ~90 ms apart, the pane after
60 ms of rest) waited for all of it. Here the text is wrapped in steps of about a
millisecond that the pane runs between other work (`Wrapping`), and the scrollbar is a
column of the pane's own lines (`scrollbar_cells`, Textual's `ScrollBarRender` glyphs and
colours), so showing or hiding it never lays out the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from math import ceil
from time import perf_counter

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions

STEP = 0.0005  # seconds of wrapping before the pane lets other work (a key) run


@dataclass(slots=True)
class Wrapped:
    """A text wrapped for a pane: what it shows, at which width, in which lines."""

    content: Content
    width: int  # cells of text per line (the scrollbar's taken off when there is one)
    strips: list[Strip]
    bar: bool  # taller than the pane: a scrollbar is drawn


def wrapping(
    render: Callable[[int], Content],
    width: int,
    bar: int,
    window: int,
    options: RenderOptions,
    style: Style,
    link_style: RichStyle | None,
) -> Generator[None, None, Wrapped]:
    """Render the text for `width` cells and wrap it; taller than `window` lines, render
    and wrap it again `bar` cells narrower (the scrollbar's). Yields after each render
    (~1 ms on real tweets) and each ~STEP of wrapping; returns the result."""
    content = render(width)
    yield
    strips = yield from _wrap(content, width, options, style, link_style, stop=window)
    if strips is None:
        width = max(1, width - bar)
        yield
        content = render(width)
        yield
        strips = yield from _wrap(content, width, options, style, link_style, stop=None)
        assert strips is not None
        return Wrapped(content, width, strips, True)
    return Wrapped(content, width, strips, False)


def _wrap(
    content: Content,
    width: int,
    options: RenderOptions,
    style: Style,
    link_style: RichStyle | None,
    stop: int | None,
) -> Generator[None, None, list[Strip] | None]:
    """The lines of `content` at `width`, paragraph by paragraph (Content wraps each of
    its lines on its own, so the result is the same as in one piece); None as soon as
    there are more than `stop`."""
    strips: list[Strip] = []
    deadline = perf_counter() + STEP
    for paragraph in content.split(allow_blank=True):
        lines = paragraph.render_strips(width, None, style, options)
        if link_style is not None:  # as Visual.to_strips styles links
            lines = [line._apply_link_style(link_style) for line in lines]
        strips.extend(lines)
        if stop is not None and len(strips) > stop:
            return None
        if perf_counter() > deadline:
            yield
            deadline = perf_counter() + STEP
    return strips


def drain(steps: Generator[None, None, Wrapped]) -> Wrapped:
    """Run all the steps at once."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def scrollbar_cells(
    window: int, virtual: int, position: float, thickness: int, back: RichStyle
) -> list[Segment]:
    """One segment per line of a vertical scrollbar, as Textual's ScrollBar draws it
    (`back`: its colours, the bar's as foreground), without the mouse actions."""
    window_size = window if window < virtual else 0
    position = int(position * 8) / 8  # ScrollBar.validate_position
    bar = ScrollBarRender.render_bar(
        size=window, virtual_size=ceil(virtual), window_size=ceil(window_size),
        position=position, thickness=thickness, vertical=True,
        back_color=back.bgcolor, bar_color=back.color,
    )  # fmt: skip
    return [
        Segment(s.text, RichStyle(color=s.style.color, bgcolor=s.style.bgcolor,
                                  reverse=s.style.reverse) if s.style else None)
        for s in bar.segments
    ]  # fmt: skip
