"""The Inbox: the folder store (TinyDB files), the first backend of `triage.protocol.Store`.

Layout of a store folder (see docs/interfaces.md):

    meta.json                 schema version (store/schema.py)
    lock                      fcntl.flock, held around every read-modify-write
    generation                a counter bumped by every write (a hint for live refresh)
    mentions/YYYY-MM-DD.json  immutable mention records, one TinyDB file per UTC day
    state/bucket-NN.json      triage state, 64 small TinyDB files by hash of the target
    journal/YYYY-MM.jsonl     append-only events: the audit trail, undo, and the redo log

An action appends its event to the journal (fsync) and then rewrites one small bucket
atomically. A process killed between the two leaves an event newer than its bucket; the
next writer, under the lock, redoes it. So an action acknowledged on screen survives
kill -9 and power loss, and a triage action never rewrites the mention archive.

The parts: `store.index.Index` (what is read, in memory), `store.partitions.Partitions`
(the files), `store.journal.Journal` (events), `store.ids.IdIndex` (mention -> group,
for scripted actions that open no archive: `store.scripted`); the actions are
`store.acting.Acting`'s, shared with the scripted store.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from store.acting import Acting
from store.actor import ActingUser, acting_as
from store.crash import crash_point
from store.errors import Conflict, NotFound, StoreError
from store.files import clean_temp_files, describe_io_error
from store.gcpause import cyclic_gc_paused
from store.history import HistoryReads
from store.hotwindow import DEFAULT_HOT_DAYS, HOT_MIN_BYTES
from store.ids import IdIndex
from store.journal import Journal
from store.loading import Loader, Part
from store.lock import StoreLock
from store.merges import GroupedIndex, StoryActions
from store.owed import OwedRecords
from store.partitions import BUCKETS, Partitions, doc_id_for
from store.schema import SCHEMA_VERSION, check_schema
from triage.filter import Filter, FilterContext
from triage.model import (
    Event,
    Handoff,
    Mention,
    Reply,
    TriageState,
    dt_from_json,
    dt_to_json,
    utcnow,
)
from triage.priority import URGENT_THRESHOLD
from triage.views import GroupView

GROUPING_WINDOW = timedelta(hours=72)


class Pipeline(Protocol):
    """triage.pipeline.Pipeline: enriches new mentions (brands, group, priority)."""

    def seed(self, mentions: Iterable[Mention]) -> None: ...
    def process(self, mention: Mention) -> Mention: ...


class Inbox(StoryActions, HistoryReads, Acting, OwedRecords):
    """Mentions, groups and triage state of one store folder, shared by processes.

    The actions (tag, set_status, ... undo) are `store.acting.Acting`'s; merge, split,
    approval and read marks `store.merges.StoryActions`'; the old closed groups a
    deferred open leaves on disk `store.history.HistoryReads`'."""

    user, acting_as = ActingUser(), acting_as  # store.actor: a rule acts as `rule:NAME`

    def __init__(self, root: Path, user: str, pipeline: Pipeline | None, lock_timeout: float):
        self.root = root
        self.user = user
        self.pipeline = pipeline
        self.lock = StoreLock(root / "lock", timeout=lock_timeout)
        # the flock does not exclude this process's own threads (a TUI writes from a
        # writer thread while its UI thread refreshes): this does
        self.mutex = threading.RLock()
        self._ingesting = threading.Lock()  # one ingest at a time (the pipeline is stateful)
        self.problems: list[str] = []  # files that could not be read, in words
        self.urgent_threshold = URGENT_THRESHOLD
        self.index = GroupedIndex(unread=self.is_unread)
        self.index.on_orphan_state = self.revive  # an old group opened again: read back
        # the hot reads (100k calls a scan) go straight to the index: no extra frame
        self.view = self.index.view  # type: ignore[method-assign]
        self.state = self.index.state  # type: ignore[method-assign]
        self.mention = self.index.mention  # type: ignore[method-assign]
        self.ids = IdIndex(root, self._report)
        self.files = Partitions(root, self.index, self._report, self.ids)
        self.loader: Loader | None = None  # the days still unread (open(defer=True))
        self.journal = Journal(root / "journal")
        self._pipeline_seeded = False
        self._to_seed: list[str] = []  # mention ids other processes stored, for the pipeline
        self._init_acting()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str,
        pipeline: Pipeline | None = None,
        lock_timeout: float = 10.0,
        create: bool = True,
        defer: bool = False,
        hot_days: int | None = DEFAULT_HOT_DAYS,
        hot_min_bytes: int = HOT_MIN_BYTES,
    ) -> Inbox:
        """`defer`: read only the days the first screen needs; the rest by `read_next`
        and `adopt` (the TUI's worker) or `finish_loading` (store.loading), and of the
        days older than `hot_days` only the groups not closed (store.hotwindow; None:
        every group; nor when the day files are smaller than `hot_min_bytes`)."""
        root = Path(path).expanduser()
        try:
            return cls._open(
                root, user, pipeline, lock_timeout, create, defer, (hot_days, hot_min_bytes)
            )
        except OSError as exc:  # unreadable lock, read-only folder...: one line, no traceback
            raise StoreError(describe_io_error(exc, root)) from exc

    @classmethod
    def _open(
        cls,
        root: Path,
        user: str,
        pipeline: Pipeline | None,
        lock_timeout: float,
        create: bool,
        defer: bool = False,
        hot: tuple[int | None, int] = (None, 0),
    ) -> Inbox:
        if not root.exists():
            if not create:
                raise StoreError(f"no store at {root}")
            root.mkdir(parents=True, mode=0o700)
        for sub in ("mentions", "state", "journal"):
            (root / sub).mkdir(exist_ok=True)
        inbox = cls(root, user, pipeline, lock_timeout)
        with inbox.lock:
            check_schema(root)
            clean_temp_files(root)
            inbox._redo_tail()
            inbox.journal.check(inbox._report)  # damaged lines said by every command
        # Parsing makes ~1M small objects and none of them cycles (see store.gcpause).
        with cyclic_gc_paused():
            if defer:
                inbox.files.keep_buckets = False
                inbox.files.load_buckets(inbox.index.cold_states)  # closed: as lines
                inbox.loader = Loader(inbox.files, inbox.index, inbox.ids)
                inbox.loader.hot(*hot)
                inbox.loader.first(utcnow())
            else:
                inbox.files.load_all()
        inbox._seen_generation = inbox.generation
        return inbox

    # ------------------------------------------------------------------ deferred days

    @property
    def loading(self) -> bool:
        """True while days of a store opened with `defer` are still unread."""
        return self.loader is not None and self.loader.loading

    def read_next(self) -> Part | None:
        """Parse the next unread day (any thread); None when all are read."""
        return self.loader.read_next() if self.loader is not None else None

    def adopt(self, part: Part, final: bool = True) -> None:
        """Index what `read_next` parsed (on the thread that reads the index: the UI's),
        in parts if need be (`final` on the last)."""
        if self.loader is not None:
            with self.mutex:
                self.loader.adopt(part)
                if final:
                    self.loader.done(part[0])
                    if not self.loader.loading:
                        self.settle_window()

    def finish_loading(self) -> None:
        """Read every unread day now (of the hot window: store.hotwindow)."""
        if self.loader is not None and self.loader.loading:
            with self.mutex, cyclic_gc_paused():
                self.loader.finish()
                self.settle_window()

    def set_hot_days(self, days: int) -> None:
        """The hot window's size (`[store] hot_days`), once the first screen is open."""
        if self.loader is not None:
            with self.mutex:
                self.loader.widen(days)

    def _now(self) -> datetime:
        return utcnow()  # looked up here: tests set store.inbox.utcnow to move the clock

    @property
    def location(self) -> str:
        return str(self.root)

    def close(self) -> None:
        self.files.close()

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ refresh

    def refresh(self, force: bool = False) -> bool:
        """Re-read only the files another process changed; True if anything did.

        `force` checks every file's signature even when the generation hint says
        nothing changed (a writer killed before its bump leaves the hint behind).
        """
        if not force and self.generation == self._seen_generation:
            return False
        with self.mutex:
            changed, new = self.files.reload_changed(self.loader.unread if self.loader else ())
            self._recall_groups_of(new)
            if new and self.pipeline is not None and self._pipeline_seeded:
                # seeded by the next ingest, in its own thread: the pipeline is not
                # thread-safe and an ingest may be enriching right now, outside the mutex
                self._to_seed.extend(new)
            self._seen_generation = self.generation
        return changed

    # ------------------------------------------------------------------ reading

    def mention(self, mention_id: str) -> Mention | None:
        return self.index.mention(mention_id)

    def __len__(self) -> int:
        return self.stored()  # with the old copies left on disk

    def all_mentions(self) -> Iterator[Mention]:
        """Every indexed mention: the whole archive, or the hot window of a deferred open
        (the TUI's author history: a million Mentions would not fit); `archive_mentions`
        adds the old closed ones left on disk."""
        self.finish_loading()
        return self.index.all_mentions()

    def archive_mentions(self) -> Iterator[Mention]:
        """Every mention: the indexed ones, then those left on disk (streamed, not kept)."""
        yield from self.all_mentions()
        yield from self.cold_mentions()

    def group_ids(self) -> list[str]:
        return self.index.group_ids()

    def group(self, group_id: str) -> list[Mention]:
        return self.index.group(group_id)

    def resolve(self, target: str) -> str:
        """The group id for a group or mention id; NotFound otherwise. An old group left
        on disk is read back first (store.history)."""
        if self.files.window is not None:
            gid = self.cold_group(target)
            if gid is not None:
                self.recall(gid)
        return self.index.resolve(target)

    def state(self, target: str) -> TriageState:
        return self.index.state(target)

    def view(self, group_id: str) -> GroupView:
        return self.index.view(group_id)

    def vocabulary(self) -> set[str]:
        self.finish_loading()
        return self.index.vocabulary()

    def context(self, now: datetime | None = None) -> FilterContext:
        return FilterContext(self.user, now or utcnow(), self.urgent_threshold)

    def groups(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[GroupView]:
        """Groups matching the filter, ranked: priority first, then the newest."""
        return [self.view(g) for g in self.ranked_ids(filter, now)]

    def ranked_ids(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[str]:
        """The ids of the groups matching the filter, ranked (views are built on demand)."""
        return self.index.ranked_ids(filter, self.context(now))

    def events(self, since: datetime | None = None) -> Iterator[Event]:
        for event in self.journal.read_all(self._report):
            if since is None or event.at >= since:
                yield event

    def mentions_between(self, start: datetime, end: datetime) -> Iterator[Mention]:
        """Mentions created in [start, end), built on the fly (constant extra memory);
        from the day files in that range while the store is still loading."""
        if self.loading or self.cold is not None:
            return self.files.stream_days(start, end)
        return self.index.mentions_between(start, end)

    def pending_outbox(self) -> list[tuple[str, Reply]]:
        self.refresh()
        return self.index.pending_outbox()

    def pending_handoffs(self) -> list[tuple[str, Handoff]]:
        self.refresh()
        return self.index.pending_handoffs()

    # ------------------------------------------------------------------ ingestion

    def ingest(self, mentions: Iterable[Mention], owe_rules: bool = False) -> list[Mention]:
        """Store what is new (one durable write per touched day); return it, enriched.
        `owe_rules`: a record that their rules are owed is written first (store.owed).

        The enrichment (brands, grouping: seconds for a large fetch) runs outside the
        store lock, so a `veille tag` meanwhile does not wait; the lock is held only to
        re-check what is new and write it.
        """
        self.finish_loading()  # what is new is judged against the whole archive
        with self._ingesting, cyclic_gc_paused():
            with self.mutex:
                self.refresh(force=True)
            known = self._known()
            batch: dict[str, Mention] = {}
            for m in mentions:
                # issue 11 scoped RSS ids by source: a store may hold the item's old id
                old_id = m.extra.get("previous_id") if m.extra else None
                if not known(m.id) and m.id not in batch and not (old_id and known(old_id)):
                    batch[m.id] = m
            if not batch:
                return []
            fresh = sorted(batch.values(), key=lambda m: (m.created_at, m.id))
            if self.pipeline is not None:
                self._seed_pipeline(self.pipeline)
                fresh = [self.pipeline.process(m) for m in fresh]
            with self.mutex, self.lock:
                self.refresh(force=True)  # another process may have stored some meanwhile
                known = self._known()
                if self._to_seed:  # the pipeline has just seen these: not twice
                    self._to_seed = [i for i in self._to_seed if i not in batch]
                fresh = [m for m in fresh if not known(m.id)]
                if not fresh:
                    return []
                if owe_rules:
                    self._owe([m.id for m in fresh])
                by_date: dict[date, list[Mention]] = defaultdict(list)
                for m in fresh:
                    by_date[m.created_at.date()].append(m)  # created_at is UTC
                written: list[tuple[Path, tuple[int, int, int] | None, list[dict]]] = []
                for k, (when, day) in enumerate(by_date.items()):
                    if k:
                        crash_point("mid-ingest")  # the id index misses the day: a cache
                    self.files.write_day(when, day, written)
                self.ids.record_days(written)  # each shard file appended once
                crash_point("mid-ingest")
                self._bump_generation()
                self._recall_groups_of([m.id for m in fresh])
        return fresh

    def _recall_groups_of(self, new: list[str]) -> None:
        """A new copy of an old story left on disk: the story is read back whole."""
        if new and self.cold is not None:
            raw = self.index.raw
            for gid in {raw[mid].get("group_id") or mid for mid in new if mid in raw}:
                self.recall(gid)

    def _known(self) -> Callable[[str], bool]:
        """Whether a mention id is stored: indexed, or left on disk (the id index)."""
        raw = self.index.raw
        if self.cold is None:
            return raw.__contains__

        def known(mid: str) -> bool:
            if mid in raw:
                return True
            with self.lock:
                return self.ids.group_of(mid) is not None

        return known

    def _seed_pipeline(self, pipeline: Pipeline) -> None:
        if self._pipeline_seeded:
            with self.mutex:
                pending, self._to_seed = self._to_seed, []
            if pending:
                pipeline.seed([m for m in map(self.mention, pending) if m is not None])
            return
        raw = self.index.raw
        if raw:
            latest = dt_from_json(max(self.index.group_last.values()))
            assert latest is not None
            cutoff = dt_to_json(latest - GROUPING_WINDOW) or ""
            ids = [mid for mid, rec in raw.items() if rec["created_at"] >= cutoff]
            recent = [m for m in map(self.mention, ids) if m is not None]
            pipeline.seed(sorted(recent, key=lambda m: (m.created_at, m.id)))
        self._pipeline_seeded = True


__all__ = [
    "BUCKETS",
    "SCHEMA_VERSION",
    "Conflict",
    "Inbox",
    "NotFound",
    "StoreError",
    "doc_id_for",
]
