"""`veille watch` stores what its sources bring in batches, off its event loop.

The poller hands each source's mentions over as it answers. Storing them one source at a
time, on the loop, cost a first round (every source answering at once: a new store, a
restart after a weekend) a store call per source (~10-30 ms of writes and fsyncs each,
whatever the size) and held the loop, which also renews the poller lease, sends
replies and decides alerts, for as long as each call took: bench/watch_round.py.

Here the sources that answer while a batch is being stored wait together and go into the
next store call, which runs on a thread of its own. Each source's hand-over returns
only once its mentions are stored (or raises), so the poller still saves a source's
cursor after its mentions are durable, and polls it again if storing failed: nothing is
acknowledged early. One "polled" line per source, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from triage.model import Mention

Store = Callable[[list[Mention]], Sequence[Mention]]  # stores, returns what was new
Log = Callable[..., None]


@dataclass
class _Waiting:
    source: str
    mentions: list[Mention]
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class BatchedStoring:
    """The poller's `on_mentions` for watch mode: `await batches(source, mentions)`."""

    def __init__(self, store: Store, log: Log, max_batch: int = 20_000) -> None:
        self._store = store
        self._log = log
        self._max_batch = max_batch  # mentions a call takes at most (memory, latency)
        self._waiting: list[_Waiting] = []
        self._storing: asyncio.Task[None] | None = None
        self.calls = 0  # store calls made (a bench and the tests read it)
        self._closing = False

    def __call__(self, source: str, mentions: list[Mention]) -> Awaitable[None]:
        waiting = _Waiting(source, mentions)
        self._waiting.append(waiting)
        if self._storing is None or self._storing.done():
            self._storing = asyncio.get_running_loop().create_task(self._drain())
        return waiting.done

    async def finish(self) -> None:
        """Let the store call under way end (its thread cannot be stopped, and the store
        must not close under it); what still waits is not stored (its sources' cursors
        were not saved: the next start polls them again)."""
        self._closing = True
        for w in self._waiting:
            w.done.cancel()
        self._waiting.clear()
        if self._storing is not None:
            await asyncio.gather(self._storing, return_exceptions=True)

    async def _drain(self) -> None:
        """Store what waits, a batch at a time, until nothing does."""
        while self._waiting and not self._closing:
            batch: list[_Waiting] = []
            size = 0
            while self._waiting and (
                not batch or size + len(self._waiting[0].mentions) <= self._max_batch
            ):
                w = self._waiting.pop(0)
                batch.append(w)
                size += len(w.mentions)
            await self._store_batch(batch)

    async def _store_batch(self, batch: list[_Waiting]) -> None:
        everything = [m for w in batch for m in w.mentions]
        self.calls += 1
        try:
            new = await asyncio.to_thread(self._store, everything)
        except Exception as exc:  # each source is told; the poller keeps their cursors
            for w in batch:
                if not w.done.done():
                    w.done.set_exception(exc)
            return
        except BaseException:  # cancelled: nobody may think it stored
            for w in batch:
                w.done.cancel()
            raise
        new_ids = {m.id for m in new}
        for w in batch:
            fresh = 0
            for m in w.mentions:  # a post two sources brought is new once, to the first
                if m.id in new_ids:
                    new_ids.discard(m.id)
                    fresh += 1
            self._log("polled", source=w.source, seen=len(w.mentions), new=fresh)
            if not w.done.done():
                w.done.set_result(None)
