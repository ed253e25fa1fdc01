"""The scheduler: every source on its own interval, failing ones backed off.

Bounded concurrency (a semaphore over sources), a few requests at a time per host (the
client's transport), and feed parsing off the event loop: feedparser is CPU-bound, so
by default it runs in a pool of processes across the cores (a thread would only share
the one core the GIL allows; `bench/ingest.py` measures both). The caller's `prepare`
hook (the pipeline's per-mention half) runs in the same worker call, right after
parsing: the mentions cross the process boundary once, already prepared. Its `warm`
hook runs here once before the workers fork, so they start with it loaded.

A source that fails is polled again after `every * 2**(failures-1)` (with jitter, at
most 6 h) and never before a Retry-After it was given: a circuit that backs off without
ever giving up.

The poller never stores anything: `poll_once` returns what each source produced and
`save` records cursors and health once the caller has stored the mentions, so a crash
in between refetches rather than loses.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from sources.base import PollResult, Source, SourceError
from sources.claims import Claims, adopt, prepare_claimed
from sources.handback import Handed
from sources.health import HealthFiles, SourceHealth
from sources.http import ALLOW_PRIVATE, make_client
from sources.registry import build_source
from sources.secrets import SecretError, redact
from triage.config import Config, SourceConfig
from triage.model import Mention, utcnow
from triage.pipeline import share_prepared
from triage.text import sanitize

MAX_BACKOFF = 6 * 3600.0


@dataclass(slots=True)
class SourceOutcome:
    name: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)
    unchanged: bool = False
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cursor: dict[str, Any] | None = None  # the cursor to save once the mentions are stored
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error


OnMentions = Callable[[str, list[Mention]], Any]  # (source name, mentions), may be async
Prepare = Callable[[list[Mention]], list[Mention]]  # picklable: it runs in the workers


def _die_with_parent(parent: int) -> None:
    """Worker initializer: a parse worker never outlives the process that started it.

    A killed `veille fetch` (kill -9, SIGTERM, an SSH hang-up) would otherwise leave its
    workers running, holding its stdout open. A watchdog thread checks every 0.2 s that
    the parent is still there (a worker is reparented when its parent dies). Not
    PR_SET_PDEATHSIG: it fires when the *thread* that forked the worker ends, and the
    pool forks from whichever thread submits (a TUI worker thread may come and go).
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _start_worker(parent: int, claims: Claims | None) -> None:
    """Worker initializer: die with the parent; prepare by the shared claims, if any."""
    _die_with_parent(parent)
    if claims is not None:
        adopt(claims)


def _parse_then_prepare(prepare: Prepare, parse: Callable[..., Any], *args: Any) -> Any:
    """Worker side of an offloaded parse: (mentions, warnings), the mentions prepared
    (in a process worker, those it claimed: `sources.claims`)."""
    mentions, warnings = parse(*args)
    return prepare_claimed(prepare, mentions), warnings


def _in_worker(prepare: Prepare | None, parse: Callable[..., Any], *args: Any) -> Any:
    """A process worker's call: `_parse_then_prepare` (or the parse alone), its mentions
    handed back as flat rows (`sources.handback`: the main process loads them ~4x
    faster)."""
    if prepare is None:
        mentions, warnings = parse(*args)
    else:
        mentions, warnings = _parse_then_prepare(prepare, parse, *args)
    return Handed(mentions), warnings


class Poller:
    """Polls configured sources; `poll_once` for `veille fetch`, `run` for `veille watch`."""

    def __init__(
        self,
        config: Config | Sequence[SourceConfig],
        state_dir: str | os.PathLike[str] | None = None,
        *,
        state_path: str | os.PathLike[str] | None = None,
        on_mentions: OnMentions | None = None,
        max_concurrency: int = 32,
        parse: str = "process",  # process | thread | inline
        client_factory: Callable[[], httpx.AsyncClient] = make_client,
        prepare: Prepare | None = None,
        warm: Callable[[], None] | None = None,
    ) -> None:
        configs = config.sources if isinstance(config, Config) else tuple(config)
        self.configs = {c.name: c for c in configs}
        if state_dir is None:
            if state_path is None:
                raise TypeError("Poller needs state_dir (or state_path) for health and cursors")
            # a file path (e.g. <store>/poller.json) means that folder's sources/: the same
            # records `veille fetch` and `veille sources` use
            given = Path(state_path)
            state_dir = given.parent / "sources" if given.suffix == ".json" else given
        self.files = HealthFiles(state_dir)
        self.on_mentions = on_mentions
        self.max_concurrency = max_concurrency
        self.parse = parse
        self.client_factory = client_factory
        self.prepare = prepare
        self.warm = warm  # readies `prepare` here, so forked workers inherit it ready
        self._sources: dict[str, Source] = {}
        self._build_errors: dict[str, str] = {}
        self._executor: Executor | None = None
        self._claims: Claims | None = None  # who prepares a post several feeds carry
        for c in configs:
            try:
                self._sources[c.name] = build_source(c)
            except (SecretError, ValueError) as exc:
                self._build_errors[c.name] = redact(str(exc))

    # ---- parsing off the loop

    def _offload(self) -> Callable[..., Any] | None:
        """How sources run their parsing: `await offload(parse, *args)` -> (mentions,
        warnings), with the `prepare` hook applied where the parsing ran."""
        prepare = self.prepare
        if self.parse == "inline":
            if prepare is None:
                return None

            async def inline(func: Callable[..., Any], *args: Any) -> Any:
                return _parse_then_prepare(prepare, func, *args)

            return inline
        if self.parse == "thread":

            async def in_thread(func: Callable[..., Any], *args: Any) -> Any:
                if prepare is None:
                    return await asyncio.to_thread(func, *args)
                return await asyncio.to_thread(_parse_then_prepare, prepare, func, *args)

            return in_thread

        async def in_process(func: Callable[..., Any], *args: Any) -> Any:
            executor = self._start_executor()  # on the first feed to parse, not before
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, _in_worker, prepare, func, *args)

        return in_process

    def _start_executor(self) -> Executor:
        """The parse workers, started when the first feed body needs parsing: a round
        where every feed answered "not modified" never loads the preparer's tables
        (~0.2 s) nor forks."""
        if self._executor is None:
            if self.prepare is not None and self.warm is not None:
                self.warm()
            # one round stored at once (`veille fetch`): a post several feeds carry is
            # prepared by one worker, the others' copies get its fields at the end (a
            # watcher stores each source as it answers, before a twin may have come)
            if self.prepare is not None and self.on_mentions is None:
                self._claims = Claims()
            self._executor = ProcessPoolExecutor(
                max_workers=max(1, os.cpu_count() or 1),
                initializer=_start_worker,
                initargs=(os.getpid(), self._claims),
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Poller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- health

    def health(self) -> list[SourceHealth]:
        """Every source's record (the watch asks each round): a file is read again only
        when another process changed it (`HealthFiles.load_many`)."""
        return self.files.load_many([(name, c.kind) for name, c in self.configs.items()])

    def source(self, name: str) -> Source | None:
        return self._sources.get(name)

    # ---- one round

    async def poll_once(
        self, names: Iterable[str] | None = None, *, save: bool | None = None
    ) -> list[SourceOutcome]:
        """Poll the named sources (all by default) once, concurrently.

        With an `on_mentions` callback, each source's mentions are handed over and its
        cursor saved as soon as it answers; without one (save=False), the caller stores
        the mentions then calls `save(outcomes)`.
        """
        chosen = list(self.configs) if names is None else list(names)
        unknown = [n for n in chosen if n not in self.configs]
        if unknown:
            raise KeyError(f"no source named {unknown[0]!r}; configured: {', '.join(self.configs)}")
        save = self.on_mentions is not None if save is None else save
        offload = self._offload()
        for name in chosen:
            source = self._sources.get(name)
            if source is not None and offload is not None and hasattr(source, "offload"):
                source.offload = offload  # type: ignore[attr-defined]
        gate = asyncio.Semaphore(self.max_concurrency)
        if self._claims is not None:
            self._claims.clear()
        async with self.client_factory() as client:

            async def one(name: str) -> SourceOutcome:
                async with gate:
                    outcome = await self._poll_source(client, name)
                if save:
                    await self._deliver_and_save(outcome)
                return outcome

            outcomes = list(await asyncio.gather(*(one(n) for n in chosen)))
        if self._claims is not None:
            share_prepared(m for o in outcomes if o.ok for m in o.mentions)
        return outcomes

    async def _poll_source(self, client: httpx.AsyncClient, name: str) -> SourceOutcome:
        config = self.configs[name]
        outcome = SourceOutcome(name=name, kind=config.kind)
        if name in self._build_errors:
            outcome.error = self._build_errors[name]
            return outcome
        source = self._sources[name]
        ALLOW_PRIVATE.set(bool(config.options.get("allow_private")))  # this task only
        cursor = self.files.load(name, config.kind).cursor
        started = time.perf_counter()
        try:
            result: PollResult = await source.poll(client, cursor)
        except SourceError as exc:
            outcome.error = redact(sanitize(exc.message))
            outcome.retry_after = exc.retry_after
        except Exception as exc:  # a bug or an odd answer: one source must not stop the rest
            outcome.error = redact(sanitize(f"unexpected error: {type(exc).__name__}: {exc}"))[:300]
        else:
            outcome.mentions = result.mentions
            outcome.unchanged = result.unchanged
            outcome.warnings = [redact(sanitize(w)) for w in result.warnings]
            outcome.cursor = result.cursor
            outcome.retry_after = result.retry_after
        outcome.seconds = time.perf_counter() - started
        return outcome

    async def _deliver_and_save(self, outcome: SourceOutcome) -> None:
        if outcome.ok and self.on_mentions is not None and outcome.mentions:
            try:
                handed = self.on_mentions(outcome.name, outcome.mentions)
                if inspect.isawaitable(handed):
                    await handed
            except Exception as exc:
                outcome.error = redact(sanitize(f"could not store the mentions: {exc}"))[:300]
                outcome.cursor = None
        self.save([outcome])

    def save(self, outcomes: Iterable[SourceOutcome]) -> list[SourceHealth]:
        """Record health (and cursors of successful polls) once their mentions are stored."""
        now = utcnow()
        records = []
        for outcome in outcomes:
            config = self.configs[outcome.name]
            record = self.files.load(outcome.name, config.kind)
            if outcome.ok:
                record.last_ok = now
                record.last_error = ""
                record.consecutive_failures = 0
                record.items_seen += len(outcome.mentions)
                record.last_items = len(outcome.mentions)
                record.warnings = outcome.warnings
                if outcome.cursor is not None:
                    record.cursor = outcome.cursor
                delay = config.every
            else:
                record.last_error = outcome.error
                record.last_error_at = now
                record.consecutive_failures += 1
                backoff = config.every * 2 ** min(record.consecutive_failures - 1, 16)
                delay = min(MAX_BACKOFF, max(config.every, backoff)) * random.uniform(0.9, 1.1)
            if outcome.retry_after:
                delay = max(delay, outcome.retry_after)
            record.next_poll = now + timedelta(seconds=delay)
            self.files.save(record)
            records.append(record)
        return records

    # ---- watch mode

    async def run(self, stop: asyncio.Event, tick: float = 1.0) -> None:
        """Poll each source when due until `stop` is set (mentions go to on_mentions)."""
        if self.on_mentions is None:
            raise ValueError("Poller.run needs an on_mentions callback to hand mentions to")
        try:
            while not stop.is_set():
                now = utcnow()
                due = [h.name for h in self.health() if h.next_poll is None or h.next_poll <= now]
                if due:
                    await self.poll_once(due, save=True)
                upcoming = [h.next_poll for h in self.health() if h.next_poll is not None]
                wait = tick
                if upcoming:
                    wait = max(0.05, min((min(upcoming) - utcnow()).total_seconds(), 60.0))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
        finally:
            self.close()
