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
import threading
from collections.abc import Callable

HANGUP_EXIT = 128 + signal.SIGHUP  # the shell's code for "ended by a hang-up" (129)
CHECK_SECONDS = 1.0  # how often the terminal is checked (an ioctl: nothing to measure)
GRACE_SECONDS = 5.0  # a hung-up inbox still running this long after is ended (see below)


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
    """Calls `leave` once when the terminal at `fd` hangs up (SIGHUP, or the check of a
    thread of its own once every `CHECK_SECONDS`).

    The check runs off the event loop: once the terminal is gone, Textual's output thread
    dies on its first write (EIO) and the loop soon blocks for good on its full queue,
    so a timer on the loop would never fire. For the same reason, once the terminal is
    gone its descriptors (`streams`) are pointed at /dev/null (writes then succeed and
    Textual's shutdown completes), and `hard_exit(HANGUP_EXIT)` ends the process if it
    is still there `grace` seconds later: every acknowledged action is on disk already,
    as after a kill (the store's journal comes first), and so are drafts."""

    def __init__(
        self,
        fd: int,
        leave: Callable[[], None],
        *,
        streams: tuple[int, ...] = (),
        hard_exit: Callable[[int], object] | None = None,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.fd = fd
        self._leave = leave
        self._streams = streams or (fd,)
        self._hard_exit = hard_exit
        self._grace = grace
        self._left = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handles_sighup = False

    def arm(self) -> None:
        """Listen for SIGHUP on the running loop (unless the user started the app with
        SIGHUP ignored, as `nohup` does) and start the checking thread."""
        loop = self._loop = asyncio.get_running_loop()
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signal.SIGHUP, self.hang_up)
                self._handles_sighup = True
        threading.Thread(target=self._watch, name="terminal-watch", daemon=True).start()

    def disarm(self) -> None:
        """Stop checking (the app is ending); a started fallback exit stays armed."""
        self._stop.set()
        if self._handles_sighup and self._loop is not None:
            with contextlib.suppress(RuntimeError, ValueError):
                self._loop.remove_signal_handler(signal.SIGHUP)
            self._handles_sighup = False

    def _watch(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            if terminal_gone(self.fd):
                loop = self._loop
                if self._begin_leaving() and loop is not None:
                    with contextlib.suppress(RuntimeError):  # the loop already closed
                        loop.call_soon_threadsafe(self._leave)
                return

    def hang_up(self) -> None:
        """SIGHUP (on the loop): leave; a terminal that is still there is given back."""
        if self._begin_leaving():
            self._leave()

    def _begin_leaving(self) -> bool:
        """Once only: silence a gone terminal, arm the fallback exit. True the first time."""
        with self._lock:
            if self._left:
                return False
            self._left = True
        if terminal_gone(self.fd):
            _point_at_devnull(self._streams)
        if self._hard_exit is not None:
            timer = threading.Timer(self._grace, self._hard_exit, (HANGUP_EXIT,))
            timer.daemon = True  # a process that ends on time is not held by it
            timer.start()
        return True


def _point_at_devnull(fds: tuple[int, ...]) -> None:
    """Point the hung-up terminal's descriptors at /dev/null: reads see end-of-file,
    writes succeed (Textual's output thread, Python's last flush)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    try:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
    finally:
        os.close(null)
