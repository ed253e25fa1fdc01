"""Help (`?`): every key of the inbox, as remapped by the keymap, with what it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.safe import plain


def key_rows(
    owners: Sequence[tuple[str, Sequence[Binding]]], keymap: dict[str, str]
) -> list[tuple[str, str, str, str]]:
    """(section, keys, description, binding id) for every binding, keymap applied."""
    rows = []
    for section, bindings in owners:
        for b in bindings:
            keys = keymap.get(b.id, b.key) if b.id else b.key
            rows.append((section, keys, b.description or b.action, b.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")
    ]

    def __init__(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        parts: list[Content | str | tuple[str, str]] = [("veille — keys\n", "bold $accent")]
        section = None
        for sec, keys, description, binding_id in self._rows:
            if sec != section:
                parts += ["\n", (sec + "\n", "bold")]
                section = sec
            parts += [
                plain(f"  {keys:<22}", "$secondary"),
                plain(f"{description:<26}"),
                plain(binding_id, "$text-muted"),
                "\n",
            ]
        parts += [
            "\n",
            ("ctrl+p: command palette (every action) · esc: close\n", "$text-muted"),
            ('Remap in the config file: [keys] "inbox.done" = "x"', "$text-muted"),
        ]
        with VerticalScroll(classes="dialog", id="help-body"):
            yield Static(Content.assemble(*parts))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
