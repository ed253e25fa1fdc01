"""`veille watch`'s alert decisions, made on a thread of their own, one at a time.

Deciding what alerts reads the store: every group's view (a first check on a 100,000-
mention folder store builds them all: seconds), the last days' mentions for spikes.
On the event loop, that held the poller lease's renewal, the outbox's sends and the
poller for as long as it took. Here the decision runs on a worker thread (the store's
own mutex guards what it shares with the storing thread, as for `BatchedStoring`); the
loop only awaits it. The sending, the ledger's claims and the logging stay on the loop.

The decisions have a thread of their own, not the loop's default pool: in a first round
that pool parses 200 feeds, and a check queued behind them would come late.

One decision at a time: a second caller waits for the first to end. On stop, `finish`
asks the decision under way to give up at its next checkpoint (a thread cannot be
killed) and waits for it, so the store never closes under it.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
FREEZE_STEP = 5_000  # groups the store may gain before what it holds is frozen again


class Abandoned(Exception):
    """The decision under way gave up: the watch is stopping."""


class OffLoop:
    """`await runner(fn, *args)`: `fn(*args)` on a thread, never two at once."""

    def __init__(self) -> None:
        self._turn: asyncio.Lock | None = None  # made on the running loop, when first used
        self._running: asyncio.Future[Any] | None = None
        self._stopping = threading.Event()
        self._thread: ThreadPoolExecutor | None = None
        self.runs = 0  # decisions started (a bench and the tests read it)

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            if self._stopping.is_set():
                raise Abandoned("the watch is stopping")
            self.runs += 1
            if self._thread is None:
                self._thread = ThreadPoolExecutor(1, thread_name_prefix="veille-alerts")
            running = asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)
            self._running = running
            try:
                # shielded: a cancelled caller (SIGTERM) leaves the thread to `finish`
                return await asyncio.shield(running)
            finally:
                if running.done():
                    self._running = None

    def checkpoint(self) -> None:
        """Raise Abandoned when a stop was asked (called by the decision, between steps)."""
        if self._stopping.is_set():
            raise Abandoned("the watch is stopping")

    async def finish(self) -> bool:
        """Stop the decision under way at its next checkpoint and wait for its thread;
        True if one was under way. No decision starts after this."""
        self._stopping.set()
        running, self._running = self._running, None
        try:
            if running is None or running.done():
                if running is not None and not running.cancelled():
                    running.exception()  # retrieved: no "never retrieved" warning
                return False
            await asyncio.gather(running, return_exceptions=True)
            return True
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=False)


class Settled:
    """Keeps the store's long-lived objects out of the cyclic collector's sight.

    A full collection walks every tracked object and holds the GIL meanwhile: with a
    60,000-mention store in memory, 0.15-0.3 s, whichever thread's allocation set it off
    (measured: the deciding thread building views made the loop wait that long, three
    times in one check). `gc.freeze()` once the store is open, and again each time it
    grew by `FREEZE_STEP` groups (new records, the views a check made: a first check
    on 100,000 groups freezes as it goes, or its own collections walk up to 0.14 s of
    views), leaves the collections only the young objects to walk. A frozen object is
    still freed when nothing refers to it; only a cycle that was already garbage and
    had outlived two young collections when frozen stays (the freezes are few: one per
    `FREEZE_STEP` groups)."""

    def __init__(self, step: int = FREEZE_STEP) -> None:
        self.step = step
        self.frozen_at = -1  # the store's size at the last freeze; -1: never

    def grew_to(self, size: int) -> bool:
        """Freeze if the store grew by a step since the last freeze; True if it did."""
        if self.frozen_at >= 0 and size < self.frozen_at + self.step:
            return False
        if self.frozen_at >= 0:  # not after the open: it paused the collector, and a
            gc.collect(1)  # walk of all it read (~0.1 s) would find nothing to free
        gc.freeze()
        self.frozen_at = size
        return True
