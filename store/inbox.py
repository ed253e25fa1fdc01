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
(the files), `store.journal.Journal` (events); what an action changes is decided by
`triage.transitions`, so this class only applies, journals and writes.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from store.crash import crash_point
from store.errors import Conflict, NotFound, StoreError
from store.files import clean_temp_files, describe_io_error
from store.gcpause import cyclic_gc_paused
from store.journal import Journal
from store.lock import StoreLock
from store.merges import GroupedIndex, StoryActions
from store.partitions import BUCKETS, Partitions, bucket_of, doc_id_for
from store.schema import SCHEMA_VERSION, check_schema
from store.storage import CorruptFile
from triage import transitions as rules
from triage.filter import Filter, FilterContext
from triage.model import (
    DeliveryStatus,
    Event,
    Handoff,
    Mention,
    Reply,
    Status,
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


class Inbox(StoryActions):
    """Mentions, groups and triage state of one store folder, shared by processes."""

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
        # the hot reads (100k calls a scan) go straight to the index: no extra frame
        self.view = self.index.view  # type: ignore[method-assign]
        self.state = self.index.state  # type: ignore[method-assign]
        self.mention = self.index.mention  # type: ignore[method-assign]
        self.files = Partitions(root, self.index, self._report)
        self.journal = Journal(root / "journal")
        self._pipeline_seeded = False
        self._to_seed: list[str] = []  # mention ids other processes stored, for the pipeline
        self._generation_path = root / "generation"
        self._seen_generation = -1
        self._batches = threading.local()  # this thread's open batch (Inbox.batch)

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
    ) -> Inbox:
        root = Path(path).expanduser()
        try:
            return cls._open(root, user, pipeline, lock_timeout, create)
        except OSError as exc:  # unreadable lock, read-only folder...: one line, no traceback
            raise StoreError(describe_io_error(exc, root)) from exc

    @classmethod
    def _open(
        cls, root: Path, user: str, pipeline: Pipeline | None, lock_timeout: float, create: bool
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
            inbox.files.load_all()
        inbox._seen_generation = inbox.generation
        return inbox

    @property
    def location(self) -> str:
        return str(self.root)

    def close(self) -> None:
        self.files.close()

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _report(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    # ------------------------------------------------------------------ refresh

    @property
    def generation(self) -> int:
        """A counter every writer bumps: compare it to know whether to refresh()."""
        try:
            return int(self._generation_path.read_bytes() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _bump_generation(self) -> None:
        # A hint only (the data files carry the truth): replaced atomically, not fsynced.
        seen = self.generation
        value = seen + 1
        tmp = self._generation_path.with_name(f".generation.{os.getpid()}.tmp-veille")
        try:
            tmp.write_bytes(str(value).encode())
            os.replace(tmp, self._generation_path)
        except OSError:
            tmp.unlink(missing_ok=True)
        # Up to date only if we were before this write: after someone else's write
        # (redone or not) the next refresh() must still re-read what they changed.
        if self._seen_generation == seen:
            self._seen_generation = value

    def refresh(self, force: bool = False) -> bool:
        """Re-read only the files another process changed; True if anything did.

        `force` checks every file's signature even when the generation hint says
        nothing changed (a writer killed before its bump leaves the hint behind).
        """
        if not force and self.generation == self._seen_generation:
            return False
        with self.mutex:
            changed, new = self.files.reload_changed()
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
        return len(self.index)

    def all_mentions(self) -> Iterator[Mention]:
        return self.index.all_mentions()

    def group_ids(self) -> list[str]:
        return self.index.group_ids()

    def group(self, group_id: str) -> list[Mention]:
        return self.index.group(group_id)

    def resolve(self, target: str) -> str:
        """The group id for a group or mention id; NotFound otherwise."""
        return self.index.resolve(target)

    def state(self, target: str) -> TriageState:
        return self.index.state(target)

    def view(self, group_id: str) -> GroupView:
        return self.index.view(group_id)

    def vocabulary(self) -> set[str]:
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
        """Mentions created in [start, end), built on the fly (constant extra memory)."""
        return self.index.mentions_between(start, end)

    def pending_outbox(self) -> list[tuple[str, Reply]]:
        self.refresh()
        return self.index.pending_outbox()

    def pending_handoffs(self) -> list[tuple[str, Handoff]]:
        self.refresh()
        return self.index.pending_handoffs()

    # ------------------------------------------------------------------ ingestion

    def ingest(self, mentions: Iterable[Mention]) -> list[Mention]:
        """Store what is new (one durable write per touched day); return it, enriched.

        The enrichment (brands, grouping: seconds for a large fetch) runs outside the
        store lock, so a `veille tag` meanwhile does not wait; the lock is held only to
        re-check what is new and write it.
        """
        with self._ingesting, cyclic_gc_paused():
            with self.mutex:
                self.refresh(force=True)
            known = self.index.raw
            batch: dict[str, Mention] = {}
            for m in mentions:
                # issue 11 scoped RSS ids by source: a store may hold the item's old id
                old_id = m.extra.get("previous_id") if m.extra else None
                if m.id not in known and m.id not in batch and old_id not in known:
                    batch[m.id] = m
            if not batch:
                return []
            fresh = sorted(batch.values(), key=lambda m: (m.created_at, m.id))
            if self.pipeline is not None:
                self._seed_pipeline(self.pipeline)
                fresh = [self.pipeline.process(m) for m in fresh]
            with self.mutex, self.lock:
                self.refresh(force=True)  # another process may have stored some meanwhile
                known = self.index.raw
                if self._to_seed:  # the pipeline has just seen these: not twice
                    self._to_seed = [i for i in self._to_seed if i not in batch]
                fresh = [m for m in fresh if m.id not in known]
                if not fresh:
                    return []
                by_date: dict[date, list[Mention]] = defaultdict(list)
                for m in fresh:
                    by_date[m.created_at.date()].append(m)  # created_at is UTC
                for k, (when, day) in enumerate(by_date.items()):
                    if k:
                        crash_point("mid-ingest")
                    self.files.write_day(when, day)
                crash_point("mid-ingest")
                self._bump_generation()
        return fresh

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

    # ------------------------------------------------------------------ actions

    def _act(
        self, target: str, action: str, change: Callable[[TriageState, datetime], dict[str, Any]]
    ) -> TriageState:
        """Apply one transition durably: journal first (the redo log), then its bucket."""
        with self.mutex, self.lock:
            self._redo_tail()
            self.refresh()
            gid = self.resolve(target)
            current = self._fresh_state(gid)
            now = utcnow()
            fields = change(current, now)
            before = {k: v for k, v in current.to_json().items() if k in fields}
            after_state = current.evolve(
                **fields, rev=current.rev + 1, updated_at=now, updated_by=self.user
            )
            after_json = after_state.to_json()
            after = {k: after_json[k] for k in (*fields, "updated_at", "updated_by")}
            event = Event(
                uuid.uuid4().hex, now, self.user, action, gid, before, after, after_state.rev,
                batch=getattr(self._batches, "id", None),
            )  # fmt: skip
            self._commit(event, after_state)
            return after_state

    def _commit(self, event: Event, new_state: TriageState) -> None:
        journal_path, size_before = self.journal.append(event)
        crash_point("after-journal")
        try:
            self.files.write_state(new_state)
        except StoreError:
            self.journal.truncate(journal_path, size_before)  # not acknowledged: no redo
            raise
        crash_point("after-state")
        self._bump_generation()

    def _fresh_state(self, target: str) -> TriageState:
        """The target's state as its file holds it now (call under the lock).

        Re-read-before-write is the store's own duty, not its callers': the generation
        file is only a hint, so the state file's signature decides, whatever any
        refresh() or redo concluded before.
        """
        n = bucket_of(target)
        if self.files.bucket_changed(n):
            self.files.load_bucket(n)
        return self.state(target)

    def _redo_tail(self) -> None:
        """Redo the journal's last event if a killed writer never wrote its bucket."""
        try:
            event = self.journal.last_event()
        except OSError as exc:
            raise StoreError(describe_io_error(exc)) from exc
        if event is None:
            return
        n = bucket_of(event.target)
        try:
            self.files.read_bucket_file(n)
        except CorruptFile as exc:  # the rest of the store is fine: say so, redo nothing
            self._report(str(exc))
            return
        current = self._fresh_state(event.target)
        if event.rev > current.rev:
            data = current.to_json()
            data.update(event.after)
            data["rev"] = event.rev
            self.files.write_state(TriageState.from_json(data))
            self._bump_generation()

    # -- the actions (the rules are triage.transitions)

    def tag(self, target: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> TriageState:
        rules.tag(TriageState(target), add, remove)  # a bad tag is refused before the lock
        return self._act(target, "tag", lambda s, now: rules.tag(s, add, remove))

    def set_status(self, target: str, status: Status | str) -> TriageState:
        new = Status.parse(status) if isinstance(status, str) else status
        return self._act(target, "status", lambda s, now: rules.set_status(s, new))

    def assign(self, target: str, user: str | None) -> TriageState:
        return self._act(target, "assign", lambda s, now: rules.assign(s, user))

    def claim(self, target: str, minutes: float = 15, force: bool = False) -> TriageState:
        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.claim(s, self.user, now, minutes, force)

        return self._act(target, "claim", change)

    def release(self, target: str) -> TriageState:
        return self._act(target, "release", lambda s, now: rules.release(s))

    def handoff(self, target: str, team: str, note: str = "") -> TriageState:
        if not team.strip():
            raise ValueError("a hand-off needs a team")

        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.handoff(s, team, note, self.user, now)

        return self._act(target, "handoff", change)

    def note(self, target: str, text: str) -> TriageState:
        if not text.strip():
            raise ValueError("a note needs some text")
        return self._act(target, "note", lambda s, now: rules.note(s, text, self.user, now))

    def snooze(self, target: str, until: datetime | None) -> TriageState:
        return self._act(target, "snooze", lambda s, now: rules.snooze(s, until))

    def add_reply(
        self, target: str, text: str, mention_id: str | None = None, manual: bool = False
    ) -> Reply:
        gid = self.resolve(target)
        reply = rules.new_reply(
            text, self.user, utcnow(), uuid.uuid4().hex, mention_id or gid, manual
        )
        self._act(gid, "reply", lambda s, now: rules.reply(s, reply))
        return reply

    def update_reply(
        self, target: str, key: str, status: DeliveryStatus, posted_url: str = "", error: str = ""
    ) -> TriageState:
        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.reply_delivery(s, key, status, now, posted_url, error)

        return self._act(target, "reply-status", change)

    def update_handoff(self, target: str, delivery: DeliveryStatus, error: str = "") -> TriageState:
        return self._act(
            target, "handoff-status", lambda s, now: rules.handoff_delivery(s, delivery, error, now)
        )

    @contextmanager
    def batch(self, batch_id: str | None = None) -> Iterator[str]:
        """The actions this thread makes inside share one batch id: one undo step."""
        previous = getattr(self._batches, "id", None)
        self._batches.id = batch_id or uuid.uuid4().hex
        try:
            yield self._batches.id
        finally:
            self._batches.id = previous

    def undo(self, user: str | None = None) -> Event | None:
        """Revert `user`'s last action not yet undone; None when there is nothing to undo.

        Refused (Conflict) when someone changed the same fields since: undo never
        overwrites another person's later decision.
        """
        with self.mutex, self.lock:
            self._redo_tail()
            self.refresh()
            batch = rules.undo_batch(self.events(), user or self.user)
            if not batch:
                return None
            for e in batch:  # all or nothing: any conflict refuses the whole step
                rules.undo_fields(e, self._fresh_state(e.target))
            for candidate in batch:  # newest first
                event, new_state = rules.undo_event(
                    candidate, self._fresh_state(candidate.target), self.user, utcnow(),
                    uuid.uuid4().hex,
                )  # fmt: skip
                self._commit(event, new_state)
            return batch[0]


__all__ = [
    "BUCKETS",
    "SCHEMA_VERSION",
    "Conflict",
    "Inbox",
    "NotFound",
    "StoreError",
    "doc_id_for",
]
