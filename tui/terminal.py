"""Quit when the terminal goes away: a closed SSH session, a killed tmux window.

The kernel tells a terminal's hang-up only to the session leader (the shell), which
passes SIGHUP on to its jobs. When the inbox runs under a parent that does not (`make
demo`: make catches SIGHUP and dies alone), nobody tells it: Textual's input thread then
reads end-of-file ten times a second forever, and the orphan spins at ~90 % of a core,
holding the store's poller lease for a screen nobody sees.

So the app listens for SIGHUP itself and also asks, once a second, whether its terminal is
still one (`os.isatty` is one ioctl, and answers False once the terminal is hung up).
Either way it exits as `q` does: polling stops, the lease and the store are let go. Every
acknowledged action is already on disk (the store writes through), and so are drafts
(tui.drafts saves as you type): leaving loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

HANGUP_EXIT = 128 + signal.SIGHUP  # the shell's code for "ended by a hang-up" (129)
CHECK_SECONDS = 1.0  # how often the terminal is checked (an ioctl: nothing to measure)


def terminal_fd() -> int | None:
    """The terminal the app reads its keys from, or None (tests, pipes, no terminal)."""
    stdin = sys.__stdin__
    if stdin is None:
        return None
    try:
        fd = stdin.fileno()
    except (OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def terminal_gone(fd: int) -> bool:
    """Whether `fd`, a terminal when the app started, has been hung up or closed."""
    try:
        return not os.isatty(fd)
    except OSError:
        return True


class TerminalWatch:
    """Calls `leave` once when the terminal at `fd` hangs up (SIGHUP or a failed check).

    `arm` runs on the app's event loop (from `on_mount`), `disarm` when the app ends."""

    def __init__(self, fd: int, leave: Callable[[], None]) -> None:
        self.fd = fd
        self._leave = leave
        self._left = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def arm(self, set_interval: Callable[..., Any]) -> None:
        """Listen for SIGHUP on the running loop (unless the user started the app with
        SIGHUP ignored, as `nohup` does) and check the terminal every `CHECK_SECONDS`."""
        loop = asyncio.get_running_loop()
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signal.SIGHUP, self.hang_up)
                self._loop = loop
        set_interval(CHECK_SECONDS, self.check, name="terminal-watch")

    def disarm(self) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError, ValueError):
                self._loop.remove_signal_handler(signal.SIGHUP)
            self._loop = None

    def check(self) -> None:
        if terminal_gone(self.fd):
            self.hang_up()

    def hang_up(self) -> None:
        if not self._left:
            self._left = True
            self._leave()
