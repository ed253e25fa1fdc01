"""The ingest service: poll -> prepare -> store -> save cursors, written once.

`veille fetch`, `veille watch`, `veille demo` and the inbox all call it. The poller
runs the pipeline's first half (`prepare_hook`, per mention) where the feeds are parsed;
the store groups and writes; only then are cursors and health saved, so an interrupted
run refetches rather than loses. A one-shot run opens the store only when something
arrived: an unchanged fetch never loads the archive.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from app.rules import ingest_with_rules
from app.runtime import Runtime
from sources.poller import OnMentions, Poller, SourceOutcome
from store.lease import Holder
from triage.config import Config
from triage.model import utcnow
from triage.protocol import Store

StoreOpener = Callable[[], AbstractContextManager[Store]]


@dataclass(slots=True, repr=False)
class IngestRun:
    """What one round brought: per-source outcomes, the ids new to the store, timings."""

    outcomes: list[SourceOutcome]
    new_ids: set[str] = field(default_factory=set)
    polled_seconds: float = 0.0
    stored_seconds: float = 0.0

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def __repr__(self) -> str:
        """Counts, not contents. `asyncio.run` formats the repr of what its task returned
        when it puts SIGINT's handler back (the handler is a partial naming the task, and
        `signal.getsignal` formats it in a ValueError it then swallows): the generated
        repr of 10,000 mentions cost ~0.7-1 s of every first fetch (Python 3.11)."""
        got = sum(len(o.mentions) for o in self.outcomes)
        return (
            f"IngestRun({len(self.outcomes)} sources, {got} mentions, {len(self.new_ids)} new, "
            f"polled_seconds={self.polled_seconds:.3f}, stored_seconds={self.stored_seconds:.3f})"
        )


def make_poller(
    runtime: Runtime, *, parse: str = "process", on_mentions: OnMentions | None = None
) -> Poller:
    """The sources' poller for this runtime, the pipeline's first half in its workers."""
    poller = Poller(
        runtime.config,
        runtime.sources_folder,
        parse=parse,
        prepare=runtime.pipeline.prepare_hook(),
        warm=runtime.pipeline.warm_hook(),
        on_mentions=on_mentions,
    )
    poller.files = runtime.health_files()  # a PostgreSQL store keeps them in the database
    if runtime.store_url:  # one node polls a source at a time (advisory locks)
        from app.pollguard import guard_sources

        guard_sources(poller, runtime.store_url)
    return poller


def opener(store: Store) -> StoreOpener:
    """An already open store, for `ingest_once` (it will not be closed)."""
    return lambda: nullcontext(store)


async def ingest_once(
    poller: Poller,
    open_store: StoreOpener,
    names: Iterable[str] | None = None,
    config: Config | None = None,
) -> IngestRun:
    """Poll once, store what is new (with `config`'s rules and people, app.rules), then
    save cursors and health."""
    started = time.perf_counter()
    outcomes = await poller.poll_once(names, save=False)
    polled = time.perf_counter()
    fetched = [m for o in outcomes if o.ok for m in o.mentions]
    run = IngestRun(outcomes, polled_seconds=polled - started)
    if fetched:
        with open_store() as store:
            run.new_ids = {m.id for m in ingest_with_rules(store, fetched, config)}
    run.stored_seconds = time.perf_counter() - polled
    poller.save(outcomes)
    return run


class LeasedPolling:
    """The inbox's own poller: while this process holds the store's poller lease (no
    `veille watch`, no other inbox polling), poll each due source and store what came.

    Runs on its own thread and event loop, so network waits and grouping never hold the
    screen; the screen notices new mentions through the store's generation. Stopping is
    prompt (the thread is a daemon: an HTTP wait never delays quitting)."""

    def __init__(
        self,
        runtime: Runtime,
        store: Store,
        *,
        kind: str = "inbox",
        tick: float = 1.0,
        on_error: Callable[[str], None] | None = None,
    ):
        from store.lease import Lease

        self.runtime = runtime
        self.store = store
        self.tick = tick
        self.lease = Lease(runtime.store_path, runtime.user, kind, ttl=max(15.0, 5 * tick))
        self.on_error = on_error or (lambda why: None)
        self.last_error = ""
        self.polls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="veille-poll", daemon=True)
            self._thread.start()

    def stop(self, wait: float = 1.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)
        with contextlib.suppress(OSError):
            self.lease.release()

    def holder(self) -> Holder | None:
        """Who polls for this store now (None: nobody)."""
        return self.lease.current()

    def _run(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        poller = make_poller(self.runtime, parse="thread")
        try:
            while not self._stop.is_set():
                try:
                    if self.lease.acquire():
                        await self._poll_due(poller)
                except Exception as exc:  # a bad round is said, never fatal
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    self.on_error(self.last_error)
                await asyncio.to_thread(self._stop.wait, self.tick)
        finally:
            poller.close()
            with contextlib.suppress(OSError):
                self.lease.release()

    async def _poll_due(self, poller: Poller) -> None:
        now = utcnow()
        due = [h.name for h in poller.health() if h.next_poll is None or h.next_poll <= now]
        if due:
            self.polls += 1  # rounds begun under the lease (one in flight may end after)
            await ingest_once(poller, opener(self.store), due, self.runtime.config)
