"""A text pane's lines, wrapped a few paragraphs at a time, and its scrollbar drawn in them.

The thread pane follows the cursor once it rests. Wrapping its text took 4-8 ms on real
tweets, and a layout of the whole screen when its scrollbar came or went 10-20 ms more,
all in one go on the UI thread: a key pressed meanwhile (keys ~90 ms apart, the pane after
60 ms of rest) waited for all of it. Here the text is wrapped in steps of about a
millisecond, a millisecond apart (`wrapping`), and the scrollbar is a
column of the pane's own lines (`scrollbar_cells`, Textual's `ScrollBarRender` glyphs and
colours), so showing or hiding it never lays out the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from math import ceil
from time import perf_counter

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions

STEP = 0.001  # seconds of wrapping before the pane lets other work (a key) run


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
    and wrap it again `bar` cells narrower (the scrollbar's). The first pass stops once
    the text is longer than the pane, and is skipped when it cannot fit anyway. Yields
    after each render (~1 ms on real tweets) and each ~STEP of wrapping; returns the
    result."""
    content = render(width)
    yield
    strips = None
    if fewest_lines(content, width) <= window:  # else it is taller for sure: skip a pass
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


def fewest_lines(content: Content, width: int) -> int:
    """At least how many lines `content` wraps to at `width`: a line holds at most
    `width` cells besides the spaces it breaks at, and each paragraph takes a line."""
    return sum(
        max(1, ceil((cell_len(line) - line.count(" ")) / width))
        for line in content.plain.split("\n")
    )


def _wrap(
    content: Content,
    width: int,
    options: RenderOptions,
    style: Style,
    link_style: RichStyle | None,
    stop: int | None,
) -> Generator[None, None, list[Strip] | None]:
    """The lines of `content` at `width`, paragraph by paragraph; None as soon as there
    are more than `stop`. Content wraps each of its lines on its own: this is
    `Content.render_strips` one line at a time, each line keeping its number in the text
    (the cells' offsets, which a mouse selection reads)."""
    rule = options.rules.get
    align, overflow = rule("text_align", "left"), rule("text_overflow", "fold")
    no_wrap, pad = rule("text_wrap", "wrap") == "nowrap", rule("line_pad", 0)
    strips: list[Strip] = []
    deadline = perf_counter() + STEP
    for y, paragraph in enumerate(content.split(allow_blank=True)):
        for line in paragraph._wrap_and_format(
            width, align=align, overflow=overflow, no_wrap=no_wrap, line_pad=pad,
            tab_size=8, get_style=options.get_style,
        ):  # fmt: skip
            line.y = y
            strip = Strip(*line.to_strip(style))
            if link_style is not None:  # as Visual.to_strips styles links
                strip = strip._apply_link_style(link_style)
            strips.append(strip)
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
    window: int, virtual: int, position: float, thickness: int, colours: RichStyle,
    base: RichStyle,
) -> list[Segment]:
    """One segment per line of a vertical scrollbar, as Textual's ScrollBar draws it
    (`colours`: the bar's background and its thumb's colour as foreground; `base`: the
    pane's style under it), without the mouse actions."""
    window_size = window if window < virtual else 0
    position = int(position * 8) / 8  # ScrollBar.validate_position
    bar = ScrollBarRender.render_bar(
        size=window, virtual_size=ceil(virtual), window_size=ceil(window_size),
        position=position, thickness=thickness, vertical=True,
        back_color=colours.bgcolor, bar_color=colours.color,
    )  # fmt: skip
    return [
        Segment(s.text, base + RichStyle(color=s.style.color, bgcolor=s.style.bgcolor,
                                         reverse=s.style.reverse) if s.style else base)
        for s in bar.segments
    ]  # fmt: skip
