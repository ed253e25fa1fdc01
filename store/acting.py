"""The triage actions of a folder store: apply a transition, journal it, write its bucket.

Shared by the two ways of opening a store: `store.inbox.Inbox` (everything in memory,
for the TUI and the services) and `store.scripted.ScriptedStore` (a scripted `veille
tag` touches only the lock, the journal and the group's state bucket). What an action
changes is decided by `triage.transitions`; this module only applies, journals, writes.

A commit appends its events to the journal in one write and one fsync (the redo log),
then rewrites each touched bucket once, atomically. A process killed between the two
leaves events newer than their buckets; the next writer, under the lock, redoes every
event of that last commit (they share one timestamp and author), so an action
acknowledged on screen or by an exit code survives kill -9 and power loss.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from store.crash import crash_point
from store.errors import StoreError
from store.files import describe_io_error
from store.hints import overwrite_hint
from store.journal import Journal
from store.lock import StoreLock
from store.partitions import Partitions, bucket_of
from store.storage import CorruptFile
from store.verbs import ActionVerbs, new_id
from triage import transitions as rules
from triage.errors import Refused
from triage.model import Event, TriageState

Change = Callable[[TriageState, datetime], dict[str, Any]]


@dataclass(slots=True)
class _Round:
    """The actions made inside `Acting.one_commit`, not yet journaled: their events, the
    states they led to, and each touched state as it was before (to put back if the
    commit fails)."""

    now: datetime
    events: list[Event] = field(default_factory=list)
    states: dict[str, TriageState] = field(default_factory=dict)
    before: dict[str, TriageState] = field(default_factory=dict)


class Acting(ActionVerbs):
    """The actions (tag, status, ... undo) over a host that says how to resolve and read."""

    root: Path
    user: str
    mutex: threading.RLock
    lock: StoreLock
    journal: Journal
    files: Partitions
    problems: list[str]

    def _init_acting(self) -> None:
        self._generation_path = self.root / "generation"
        self._seen_generation = -1
        self._batches = threading.local()  # this thread's open batch (see batch())
        self._redo_mark: object = None  # the journal as it was when last redone or written
        self._round: _Round | None = None  # the open `one_commit`, if any

    # -- what the host provides
    def resolve(self, target: str) -> str:
        raise NotImplementedError

    def state(self, target: str) -> TriageState:
        raise NotImplementedError

    def refresh(self, force: bool = False) -> bool:
        raise NotImplementedError

    def events(self, since: datetime | None = None) -> Iterator[Event]:
        raise NotImplementedError

    def _report(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    # ------------------------------------------------------------------ generation

    @property
    def generation(self) -> int:
        """A counter every writer bumps: compare it to know whether to refresh()."""
        try:
            return int(self._generation_path.read_bytes() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _bump_generation(self) -> None:
        # A hint only (the data files carry the truth): written in place, not fsynced
        # (store.hints); a reader that finds it torn refreshes, which is harmless.
        seen = self.generation
        value = seen + 1
        with contextlib.suppress(OSError):
            overwrite_hint(self._generation_path, str(value).encode())
        # Up to date only if we were before this write: after someone else's write
        # (redone or not) the next refresh() must still re-read what they changed.
        if self._seen_generation == seen:
            self._seen_generation = value

    # ------------------------------------------------------------------ applying

    def _act(self, target: str, action: str, change: Change) -> TriageState:
        """Apply one transition durably: journal first (the redo log), then its bucket
        (inside `one_commit`: when the round ends)."""
        with self.mutex, self.lock:
            if self._round is not None:
                return self._act_in_round(self._round, target, action, change)
            self._redo_tail()
            self.refresh()
            gid = self.resolve(target)
            event, after = self._transition(
                gid, action, self._fresh_state(gid), change, self._now()
            )
            self._commit([event], [after])
            return after

    @contextlib.contextmanager
    def one_commit(self) -> Iterator[None]:
        """The actions this thread makes inside, whatever their author and batch, are
        journaled in ONE write (one fsync) at the end, each touched bucket written once,
        under one hold of the lock (other threads' actions wait for the end).

        Rules at ingest (app.rules) act on every new group: one commit per rule per
        group cost two fsyncs each (bench/rules.py). Inside, each action is applied to
        the index at once, so a later rule sees what an earlier one did; the events
        share one moment, which is how the journal's redo finds the whole commit after
        a kill (`Journal.last_commit`). What was made is committed even when the body
        raises (as each action was durable at once before); if the commit itself fails
        (StoreError), the states are put back and nothing of the round is stored."""
        if self._round is not None:  # nested: the outer round commits
            yield
            return
        with self.mutex, self.lock:
            self._redo_tail()
            self.refresh()
            self._round = round_ = _Round(self._now())
            try:
                yield
            finally:
                self._round = None
                if round_.events:
                    try:
                        self._commit(round_.events, round_.states.values())
                    except StoreError:
                        for state in round_.before.values():
                            self.files.index.set_state(state)
                        raise

    def _act_in_round(
        self, round_: _Round, target: str, action: str, change: Change
    ) -> TriageState:
        gid = self.resolve(target)
        current = round_.states.get(gid)
        if current is None:
            current = round_.before[gid] = self._fresh_state(gid)
        event, after = self._transition(gid, action, current, change, round_.now)
        round_.events.append(event)
        round_.states[gid] = after
        self.files.index.set_state(after)  # seen by the round's next reads
        return after

    def act_many(
        self, action: str, targets: Sequence[str], change: Change
    ) -> list[TriageState | Refused | ValueError]:
        """One action on many targets under one lock, journaled in one write (one fsync),
        each touched bucket written once, one batch (one undo step). Each target gets its
        state or the refusal (unknown id, conflict) in words; the others still apply."""
        results: list[TriageState | Refused | ValueError] = []
        with self.mutex, self.lock, self.batch(getattr(self._batches, "id", None)):
            self._redo_tail()
            self.refresh()
            now = self._now()
            pending: dict[str, TriageState] = {}
            events: list[Event] = []
            for target in targets:
                try:
                    gid = self.resolve(target)
                    current = pending.get(gid) or self._fresh_state(gid)
                    event, after = self._transition(gid, action, current, change, now)
                except (Refused, ValueError) as exc:
                    results.append(exc)
                    continue
                pending[gid] = after
                events.append(event)
                results.append(after)
            if events:
                self._commit(events, list(pending.values()))
        return results

    def _transition(
        self, gid: str, action: str, current: TriageState, change: Change, now: datetime
    ) -> tuple[Event, TriageState]:
        fields = change(current, now)
        before = {k: v for k, v in current.to_json().items() if k in fields}
        after_state = current.evolve(
            **fields, rev=current.rev + 1, updated_at=now, updated_by=self.user
        )
        after_json = after_state.to_json()
        after = {k: after_json[k] for k in (*fields, "updated_at", "updated_by")}
        event = Event(
            new_id(), now, self.user, action, gid, before, after, after_state.rev,
            batch=getattr(self._batches, "id", None),
        )  # fmt: skip
        return event, after_state

    def _commit(self, events: Sequence[Event], states: Iterable[TriageState]) -> None:
        """Journal `events` (one write, one fsync), then write each touched bucket once."""
        journal_path, size_before = self.journal.append_many(events)
        crash_point("after-journal")
        by_bucket: dict[int, list[TriageState]] = {}
        for state in states:
            by_bucket.setdefault(bucket_of(state.target), []).append(state)
        try:
            self.files.write_buckets(by_bucket)
        except StoreError:
            # nothing replaced (a bucket that does not parse, a full disk before the
            # renames): not acknowledged, so not to be redone either
            self.journal.truncate(journal_path, size_before)
            raise
        crash_point("after-state")
        self._redo_mark = self.journal.mark()
        self.journal.set_applied(self._redo_mark)
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
        """Redo the journal's last commit if a killed writer never wrote its buckets."""
        try:
            mark = self.journal.mark()
            if mark is None or mark == self._redo_mark or mark == self.journal.applied():
                self._redo_mark = mark
                return  # every event in the journal is in its bucket
            events = self.journal.last_commit()
        except OSError as exc:
            raise StoreError(describe_io_error(exc)) from exc
        redone: dict[str, TriageState] = {}
        damaged = False
        for event in events:  # oldest first
            try:
                self.files.read_bucket_file(bucket_of(event.target))
            except CorruptFile as exc:  # the rest of the store is fine: say so, redo it not
                self._report(str(exc))
                damaged = True
                continue
            current = redone.get(event.target) or self._fresh_state(event.target)
            if event.rev > current.rev:
                data = current.to_json()
                data.update(event.after)
                data["rev"] = event.rev
                redone[event.target] = TriageState.from_json(data)
        by_bucket: dict[int, list[TriageState]] = {}
        for state in redone.values():
            by_bucket.setdefault(bucket_of(state.target), []).append(state)
        if by_bucket:
            self.files.write_buckets(by_bucket)
        if redone:
            self._bump_generation()
        if not damaged:
            self._redo_mark = mark
            self.journal.set_applied(mark)

    # ------------------------------------------------------------------ the actions

    def undo(self, user: str | None = None) -> Event | None:
        """Revert `user`'s last action not yet undone (one batch, committed as one);
        None when there is nothing to undo.

        Refused (Conflict) when someone changed the same fields since: undo never
        overwrites another person's later decision.
        """
        with self.mutex, self.lock:
            self._redo_tail()
            self.refresh()
            batch = rules.undo_batch_newest_first(
                self.journal.newest_first(self._report), user or self.user
            )
            if not batch:
                return None
            now = self._now()
            pending: dict[str, TriageState] = {}
            events: list[Event] = []
            for candidate in batch:  # newest first; any conflict refuses the whole step
                current = pending.get(candidate.target) or self._fresh_state(candidate.target)
                event, new_state = rules.undo_event(candidate, current, self.user, now, new_id())
                pending[candidate.target] = new_state
                events.append(event)
            self._commit(events, pending.values())
            return batch[0]
