"""How the inbox lays itself out for the terminal it is in.

Two panes (the list, the thread and editor beside it) from ONE_PANE columns on; under
that, one pane at a time: the list, and the thread or the editor in its place while one
of them has the focus. The screen calls `adapt` on resize and `follow_focus` when the
focus moves; the rest is CSS (the -one-pane and -detail classes, inbox.tcss).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

ONE_PANE = 100  # columns


def adapt(screen: Screen[object], width: int) -> None:
    screen.set_class(width < ONE_PANE, "-one-pane")


def follow_focus(screen: Screen[object], focused: Widget | None) -> None:
    """Show the detail pane (one-pane layout) while the focus is inside it."""
    right = screen.query("#right")
    inside = focused is not None and bool(right) and right.first() in focused.ancestors_with_self
    screen.set_class(inside, "-detail")
