"""Draw a key's result at once when the screen has been still, not on the next tick.

Textual paints a screen on a 60 Hz timer that sleeps while nothing changes. After a
tick it sleeps to a point of its grid one to two periods ahead (17-33 ms), and a
change made meanwhile waits for that point: a cursor move 20 ms after the panes were
drawn showed 25-30 ms after its key, for a frame that takes 2 ms to draw. As zellij
does (render at once after a period without a frame), a change is drawn as soon as
the screen is idle when the last frame is at least one period old; within a period
the timer draws it as before, so a flood of changes still gets at most 60 frames a
second.
"""

from __future__ import annotations

from time import monotonic

from textual import events
from textual.screen import UPDATE_PERIOD, Screen


class PromptFrames(Screen):
    """Mixed into a Screen (before Screen in the bases): prompt frames after a pause,
    and at once for what answers a key (`key_frame`)."""

    _frame_at = 0.0  # monotonic time of the last frame drawn
    _key_frame = False  # the next change answers a key: draw it without the 60 Hz wait

    def key_frame(self) -> None:
        """The change just made answers a key (a cursor move, a filter's rows): draw it
        as soon as the screen is idle, even within a frame period of the last frame
        (the filter line's echo of the key, a frame before). Background updates keep
        Textual's pace."""
        self._key_frame = True

    def _compositor_refresh(self) -> None:
        self._frame_at = monotonic()
        self._key_frame = False
        super()._compositor_refresh()

    async def _on_idle(self, event: events.Idle) -> None:
        if (
            (self._dirty_widgets or self._layout_required or self._repaint_required
             or self._scroll_required)
            and (self._key_frame or monotonic() - self._frame_at >= UPDATE_PERIOD)
            and not self.app._batch_count
            and self.is_current
        ):  # fmt: skip
            self._on_timer_update()  # what the timer's tick would do, now
        await super()._on_idle(event)
