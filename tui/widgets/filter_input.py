"""The filter line's input: a keystroke repaints the line, not the whole screen.

Textual's Input sets its scrollable width from the text on every change, and that
assignment lays out the screen (~20-40 ms at 160x48 on a loaded machine: half the
budget of a filter keystroke). The line's own size never depends on its text (one row,
the bar's width), so the width is set without a layout.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    def _watch_value(self, value: str) -> None:
        """Input._watch_value, less the layout (the suggestion and validation kept)."""
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
        self._suggestion = ""
        if self.suggester and value:
            self.run_worker(self.suggester._get_suggestion(self, value))
        if self.styles.auto_dimensions:
            self.refresh(layout=True)
        validation_result = self.validate(value) if "changed" in self.validate_on else None
        self.post_message(self.Changed(self, value, validation_result))
        if self._initial_value:
            self.cursor_position = len(self.value)
            self._initial_value = False
