"""The ingest service: poll -> prepare -> store -> save cursors, written once.

`veille fetch`, `veille watch`, `veille demo` and the inbox all call it. The poller
runs the pipeline's first half (`prepare_hook`, per mention) where the feeds are parsed;
the store groups and writes; only then are cursors and health saved, so an interrupted
run refetches rather than loses. A one-shot run opens the store only when something
arrived: an unchanged fetch never loads the archive.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from app.runtime import Runtime
from sources.poller import OnMentions, Poller, SourceOutcome
from triage.model import Mention
from triage.protocol import Store

StoreOpener = Callable[[], AbstractContextManager[Store]]


@dataclass(slots=True)
class IngestRun:
    """What one round brought: per-source outcomes, the ids new to the store, timings."""

    outcomes: list[SourceOutcome]
    new_ids: set[str] = field(default_factory=set)
    polled_seconds: float = 0.0
    stored_seconds: float = 0.0

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.ok]


def make_poller(
    runtime: Runtime, *, parse: str = "process", on_mentions: OnMentions | None = None
) -> Poller:
    """The sources' poller for this runtime, the pipeline's first half in its workers."""
    return Poller(
        runtime.config,
        runtime.sources_folder,
        parse=parse,
        prepare=runtime.pipeline.prepare_hook(),
        on_mentions=on_mentions,
    )


def opener(store: Store) -> StoreOpener:
    """An already open store, for `ingest_once` (it will not be closed)."""
    return lambda: nullcontext(store)


async def ingest_once(
    poller: Poller, open_store: StoreOpener, names: Iterable[str] | None = None
) -> IngestRun:
    """Poll once, store what is new, then save cursors and health."""
    started = time.perf_counter()
    outcomes = await poller.poll_once(names, save=False)
    polled = time.perf_counter()
    fetched = [m for o in outcomes if o.ok for m in o.mentions]
    run = IngestRun(outcomes, polled_seconds=polled - started)
    if fetched:
        with open_store() as store:
            run.new_ids = {m.id for m in store.ingest(fetched)}
    run.stored_seconds = time.perf_counter() - polled
    poller.save(outcomes)
    return run


def store_as_they_come(store: Store, log: Callable[..., None]) -> OnMentions:
    """The poller's callback in watch mode: store each source's mentions as it answers
    (raising makes the poller keep its cursor, so they are polled again)."""

    def on_mentions(source: str, mentions: list[Mention]) -> None:
        new = store.ingest(mentions)
        log("polled", source=source, seen=len(mentions), new=len(new))

    return on_mentions
