"""Text and links for the user's own hands: copy, open, and always show.

A clipboard write is never confirmed by the terminal (and tmux drops it under its
defaults), so whatever veille copies is also shown here, whole, to be selected by hand
(shift + mouse in most terminals). A post's link opens in the browser when this machine
is the user's desktop; over SSH it is shown as a terminal hyperlink (OSC 8) instead,
since a browser started on the server would help nobody.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.model import Mention
from tui.safe import checked_url, flat, link, plain
from tui.services.clipboard import Copied, copy, local_browser


class CopyPanel(ModalScreen[None]):
    """What was copied (or is to be opened), shown in full; any close key dismisses it."""

    DEFAULT_CSS = """
    CopyPanel { align: center middle; background: $background 60%; }
    CopyPanel > #copy-box {
        width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    CopyPanel #copy-title { text-style: bold; }
    CopyPanel #copy-how { color: $text-muted; }
    CopyPanel #copy-url { text-wrap: nowrap; text-overflow: clip; height: 1; }
    CopyPanel #copy-scroll { height: auto; max-height: 20; margin: 1 0; }
    CopyPanel #copy-keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", show=False),
    ]

    def __init__(self, title: str, how: str, *, url: str | None = None, text: str = "") -> None:
        super().__init__()
        self._title = title
        self._how = how
        self._url = checked_url(url)
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-box"):
            yield Static(plain(self._title), id="copy-title")
            yield Static(plain(self._how), id="copy-how")
            if self._url:
                yield Static(link(self._url), id="copy-url")
            if self._text:
                with VerticalScroll(id="copy-scroll"):
                    yield Static(plain(self._text), id="copy-text")
            yield Static(
                Content("enter or esc: close · to copy by hand, select with shift + mouse"),
                id="copy-keys",
            )

    def action_close(self) -> None:
        self.dismiss(None)


def copy_for_user(app: App[object], text: str) -> Copied:
    """Copy `text` every way that may work in this terminal (tmux included)."""
    return copy(text, terminal=app.copy_to_clipboard)


def _how(copied: Copied) -> str:
    return f"Copied to {copied.describe()}; if it did not arrive, copy it from here."


def copy_link(app: App[object], mention: Mention | None) -> None:
    """`y`: the post's link to the clipboard, and on screen."""
    url = checked_url(mention.url) if mention else None
    if url is None:
        app.notify("This post has no web link to copy.", severity="warning", markup=False)
        return
    copied = copy_for_user(app, url)
    app.notify(f"Link copied to {copied.describe()}: {url}", timeout=6, markup=False)


def open_post(app: App[object], mention: Mention | None) -> None:
    """`o`: the post in the user's browser when it is on this machine; else its link,
    clickable (OSC 8) and copied."""
    url = checked_url(mention.url) if mention else None
    if mention is None or url is None:
        app.notify("This post has no web link to open.", severity="warning", markup=False)
        return
    if local_browser():
        app.open_url(url)
        app.notify(f"Opening in your browser: {url}", timeout=4, markup=False)
        return
    copied = copy_for_user(app, url)
    app.push_screen(
        CopyPanel(
            f"Open the post by {flat(mention.author.display, 40)}",
            "No browser on this machine (remote session): click the link if your terminal "
            f"allows it. {_how(copied)}",
            url=url,
        )
    )


def manual_reply(app: App[object], mention: Mention, text: str) -> None:
    """No posting API: the reply is copied, shown in full, and where to paste it said."""
    copied = copy_for_user(app, text)
    url = checked_url(mention.url)
    where = "Paste it at the link below, then it is done." if url else "Paste it where the post is."
    app.push_screen(
        CopyPanel(
            f"Reply to {flat(mention.author.display, 40)}, recorded as made by hand",
            f"{_how(copied)} {where}",
            url=url,
            text=text,
        )
    )
