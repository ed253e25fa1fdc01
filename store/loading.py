"""Opening a folder store first screen first (issue 16).

Reading every day file of a 100,000-mention store takes a second; the inbox's first
screen needs only the groups that rank highest (priority first, then the newest) among
those it shows (not done, ignored or snoozed). The id index (`store.ids`) keeps every
group's rank key and the days that hold its copies, so the first screen's groups are
known before any day is read: the inbox opens with the days that hold them (exactly
what a full read would show on top), and the rest is read afterwards, newest first
(`read_next` on a worker thread, `adopt` on the thread that owns the index), or at once
by `finish` when something needs the whole archive (an ingest, a report). When the
index does not cover the day files as they are, every day is read at open, as before.
"""

from __future__ import annotations

import heapq
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from store.files import file_signature
from store.hotwindow import HOT_MIN_BYTES, HotWindow
from store.ids import IdIndex
from store.index import Index
from store.partitions import Partitions, Signature
from store.ranked import first_groups, write_ranked
from triage.model import Status, dt_to_json

FIRST_SCREEN = 100  # rows the first screen may show (a tall terminal), with margin
Part = tuple[Path, Signature, dict[str, Any] | None]


class Loader:
    """The day files of one store not read yet, newest first."""

    def __init__(self, files: Partitions, index: Index, ids: IdIndex) -> None:
        self.files = files
        self.index = index
        self.ids = ids
        self._lock = threading.Lock()
        self._reading: set[Path] = set()  # taken by read_next, not yet adopted
        self.pending: list[Path] = sorted(files.day_paths(), reverse=True)

    def hot(self, days: int | None, min_bytes: int = HOT_MIN_BYTES) -> None:
        """Index only the hot window from now on (store.hotwindow); `None`, or day files
        smaller than `min_bytes` in all: everything."""
        if days is None or not self.pending:
            return
        if min_bytes and sum(p.stat().st_size for p in self.pending) < min_bytes:
            return
        newest = date.fromisoformat(self.pending[0].stem)
        self.files.window = HotWindow(newest, days, self.index)

    def widen(self, days: int) -> None:
        """A larger or smaller hot window (the configuration's `[store] hot_days`, known
        after the first screen): days it now covers that were read in part are read again."""
        window = self.files.window
        if window is None or days == window.days:
            return
        old = window.cutoff
        newest = date.fromisoformat(old) + timedelta(days=max(window.days, 1) - 1)
        window.days = days
        window.cutoff = f"{newest - timedelta(days=max(days, 1) - 1):%Y-%m-%d}"
        unread = self.unread
        for path in self.files.day_paths():
            if window.cutoff <= path.stem < old and path not in unread:
                self.files.load_day(path)

    def first(self, now: datetime, rows: int = FIRST_SCREEN) -> None:
        """Read the days that hold a copy of the first `rows` groups the inbox shows
        (their states must be loaded); every day when the id index is not current."""
        signatures = {p.name: file_signature(p) for p in self.pending}
        states, cold, cut = self.index.states, self.index.cold_states, dt_to_json(now) or ""

        def shown(gid: str) -> bool:
            state = states.get(gid)
            if state is None:
                return gid not in cold  # a closed state kept as a line: not shown
            if state.status in (Status.DONE, Status.IGNORED):
                return False
            until = state.snoozed_until
            return until is None or (dt_to_json(until) or "") <= cut

        size = self.ids.groups_size(signatures)
        top = None if size is None else first_groups(self.ids.folder, size, shown, rows)
        if top is None:  # no rank file, or not this groups.jsonl's: read it whole
            table = self.ids.group_table(signatures)
            if table is None:
                while self.pending:
                    self.files.load_day(self.pending.pop(0))
                return
            keys = ((k[0], k[1], gid) for gid, k in table.items() if shown(gid))
            top = {gid: table[gid][2] for _, _, gid in heapq.nlargest(rows, keys)}
            if self.ids.groups_read is not None:
                write_ranked(self.ids.folder, table, self.ids.groups_read, self.ids.groups_ends)
        needed = {day for days in top.values() for day in days}
        if getattr(self.index, "corrected", False):  # stories fixed by hand: whole days
            for path in [p for p in self.pending if p.name in needed]:
                self.pending.remove(path)
                self.files.load_day(path)
            return
        # Only the first screen's groups are indexed now: their days stay pending (the
        # loader indexes the rest of them, from the parsed copy kept meanwhile).
        for path in [p for p in self.pending if p.name in needed]:
            self.files.adopt_groups(*self.files.parse_day(path), set(top))

    @property
    def loading(self) -> bool:
        return bool(self.pending or self._reading)

    @property
    def unread(self) -> set[Path]:
        """Days not indexed yet (refresh leaves them to the loader)."""
        with self._lock:
            return {*self.pending, *self._reading}

    def read_next(self) -> Part | None:
        """Parse the next unread day (any thread); None when every day is read."""
        with self._lock:
            if not self.pending:
                return None
            path = self.pending.pop(0)
            self._reading.add(path)
        return self.files.parse_day(path)

    def adopt(self, part: Part) -> list[str]:
        """Index (part of) a day `read_next` parsed, on the thread that owns the index;
        `done(path)` once all of it is in."""
        return self.files.adopt_day(*part)

    def done(self, path: Path) -> None:
        with self._lock:
            self._reading.discard(path)
        if self.files.window is not None:
            self.files.release_day(path)  # what it keeps is indexed (compact); the rest on disk

    def finish(self) -> list[str]:
        """Read every day not read yet, now (days a worker is reading too: parsed again,
        their records are indexed once)."""
        added: list[str] = []
        while (part := self.read_next()) is not None:
            added += self.adopt(part)
            self.done(part[0])
        for path in list(self._reading):
            added += self.files.load_day(path)
            self.done(path)
        return added
