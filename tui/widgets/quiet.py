"""Update a Static without a layout of the whole screen when it can be helped.

`Static.update` lays out the screen every time (Textual cannot know the new text keeps
the widget's size): ~10-40 ms at 160x48, on every cursor move when the thread pane, the
reply editor's labels and the status bar follow the cursor. What they show often does
not change at all, or keeps its height: then only the widget is repainted.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def same(a: object, b: Content) -> bool:
    """The same text with the same styles (Content's own == compares the text only)."""
    return isinstance(a, Content) and a.plain == b.plain and a.spans == b.spans


def set_content(static: Static, content: Content, *, fixed_height: bool = False) -> bool:
    """Show `content` in `static`; False when it already did. A layout only when the
    widget's height would change (`fixed_height`: its CSS fixes it, so never)."""
    if same(static.visual, content):
        return False
    width = static.content_size.width
    layout = not fixed_height and (
        not width or content.get_height(static.styles, width) != static.content_size.height
    )
    static.update(content, layout=layout)
    return True
