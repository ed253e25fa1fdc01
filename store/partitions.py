"""The folder store's files: mentions by UTC day, triage state in 64 hashed buckets.

Each file is a TinyDB on `AtomicJSONStorage` (atomic replace, parsed once until
another process replaces it). What is read goes into the `Index`; the signature
(inode, size, mtime) of every file tells `refresh` which ones another process changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from tinydb import TinyDB

from store.errors import StoreError
from store.files import atomic_write_many, file_signature
from store.hotwindow import compact
from store.statecache import cold_value, note_write, read_cache, split_bucket, write_cache
from store.statecache import plain_state as _plain_state
from store.storage import AtomicJSONStorage, CorruptFile, open_tinydb, records
from triage.model import Mention, TriageState, dt_to_json

if TYPE_CHECKING:
    from store.hotwindow import HotWindow
    from store.ids import IdIndex

BUCKETS = 64
Signature = tuple[int, int, int] | None


def doc_id_for(key: str) -> int:
    """A stable TinyDB doc id from a mention id or target: storing twice stores once."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=7).digest(), "big") + 1


def bucket_of(target: str) -> int:
    return hashlib.blake2b(target.encode(), digest_size=2).digest()[0] % BUCKETS


class Sink(Protocol):
    """Where what is read goes: `store.index.Index` (everything), or only the states."""

    raw: dict[str, dict[str, Any]]
    states: dict[str, TriageState]

    def add_record(self, rec: dict[str, Any], mention: Mention | None = None) -> None: ...
    def set_state(self, state: TriageState) -> None: ...


class Partitions:
    """Reads and writes the day and bucket files of one store into one Index."""

    def __init__(
        self,
        root: Path,
        index: Sink,
        report: Callable[[str], None],
        ids: IdIndex | None = None,
    ) -> None:
        self.root = root
        self.index = index
        self.report = report
        self.ids = ids  # the mention -> group index a scripted action resolves with
        self._day_dbs: dict[Path, TinyDB] = {}
        self._bucket_dbs: dict[int, TinyDB] = {}
        self._signatures: dict[Path, tuple[int, int, int] | None] = {}
        self._bucket_paths: list[Path] | None = None
        self._day_paths: dict[str, Path] = {}  # by file name (`changed_days`)
        self.window: HotWindow | None = None  # what is indexed (store.hotwindow); None: all
        # a deferred open lets the buckets' parsed JSON go once read into states (a
        # year's 200k+ states: ~1 KB each as dicts); a write parses its bucket again
        self.keep_buckets = True

    def day_path(self, when: date) -> Path:
        return self.root / "mentions" / f"{when:%Y-%m-%d}.json"

    def bucket_path(self, n: int) -> Path:
        paths = self._bucket_paths
        if paths is None:  # made once: every refresh looks at all 64
            paths = self._bucket_paths = [
                self.root / "state" / f"bucket-{k:02d}.json" for k in range(BUCKETS)
            ]
        return paths[n]

    def close(self) -> None:
        for db in (*self._day_dbs.values(), *self._bucket_dbs.values()):
            db.close()
        self._day_dbs.clear()
        self._bucket_dbs.clear()

    # ------------------------------------------------------------------ reading

    def load_all(self) -> None:
        for path in self.day_paths():
            self.load_day(path)
        self.load_buckets()

    def load_buckets(self, cold: dict[str, str] | None = None) -> None:
        for n in range(BUCKETS):
            self.load_bucket(n, cold)

    def _day_db(self, path: Path) -> TinyDB:
        db = self._day_dbs.get(path)
        if db is None:
            db = self._day_dbs[path] = open_tinydb(path)
        return db

    def _bucket_db(self, n: int) -> TinyDB:
        db = self._bucket_dbs.get(n)
        if db is None:
            db = self._bucket_dbs[n] = open_tinydb(self.bucket_path(n))
        return db

    def load_day(self, path: Path) -> list[str]:
        """Read a day partition; only records not yet known are indexed (they never change)."""
        window = self.window
        if window is not None:
            window.cold.reset_day(path.stem)  # counted again as it is now
        added = self.adopt_day(*self.parse_day(path))
        if window is not None:
            self.release_day(path)  # the index holds compact copies of what it keeps
        return added

    def release_day(self, path: Path) -> None:
        """Drop the parsed copy of an old day (its hot records stay in the index)."""
        db = self._day_dbs.pop(path, None)
        if db is not None:
            db.close()

    def parse_day(self, path: Path) -> tuple[Path, Signature, dict[str, Any] | None]:
        """Parse a day file (no index change: may run on a worker thread); None if damaged."""
        db = self._day_db(path)
        signature = file_signature(path)
        try:
            return path, signature, records(db)
        except CorruptFile as exc:
            self.report(str(exc))
            return path, signature, None

    def adopt_day(self, path: Path, signature: Signature, raw: dict[str, Any] | None) -> list[str]:
        """Index what `parse_day` read (on the thread that owns the index)."""
        self._signatures[path] = signature
        if raw is None:
            return []
        known = self.index.raw
        if self.window is not None and self.window.is_old(path):
            return self._adopt_old(path, raw, self.window)
        added: list[str] = []
        for record in raw.values():
            mid = record.get("id") if isinstance(record, dict) else None
            if mid is not None and mid in known:
                continue
            if not _looks_like_mention(record):
                self.report(f"{path}: a mention record is damaged ({str(record)[:80]}); skipped")
                continue
            if self.window is not None:
                record = compact(record)
            self.index.add_record(record)
            added.append(record["id"])
        return added

    def adopt_groups(
        self, path: Path, signature: Signature, raw: dict[str, Any] | None, groups: set[str]
    ) -> None:
        """Index only the copies of `groups` from what `parse_day` read (the first screen's
        groups, store.loading): the day stays unread (no signature kept, the rest of it
        indexed later by `adopt_day`, which skips what is known)."""
        if raw is None:
            return
        known, add, window = self.index.raw, self.index.add_record, self.window
        for record in raw.values():
            if not isinstance(record, dict):
                continue
            mid = record.get("id")
            wanted = (record.get("group_id") or mid) in groups and mid not in known
            if wanted and _looks_like_mention(record):
                add(compact(record) if window is not None else record)

    def _adopt_old(self, path: Path, raw: dict[str, Any], window: HotWindow) -> list[str]:
        """A day older than the hot window: index the groups it keeps (decided once a
        group), leave the others on disk (store.hotwindow)."""
        day, known, add = path.stem, self.index.raw, self.index.add_record
        decided: dict[str, bool] = {}
        added: list[str] = []
        left = 0
        for record in raw.values():
            if not _looks_like_mention(record):
                self.report(f"{path}: a mention record is damaged ({str(record)[:80]}); skipped")
                continue
            mid = record["id"]
            if mid in known:
                continue
            gid = record.get("group_id") or mid
            hot = decided.get(gid)
            if hot is None:
                hot = decided[gid] = window.keeps_group(gid)
                if not hot:
                    window.leave_group(gid, day)
            if hot or mid in window.pinned or record["created_at"] >= window.cutoff:
                add(compact(record))
                added.append(mid)
            else:
                left += 1
        window.cold.count(day, left)
        return added

    def day_paths(self) -> list[Path]:
        return sorted((self.root / "mentions").glob("*.json"))

    def stream_days(self, start: datetime, end: datetime) -> Iterator[Mention]:
        """Mentions created in [start, end) read from the day files one at a time, not
        indexed nor kept (a report over a month of a store opened first screen first)."""
        low, high = dt_to_json(start) or "", dt_to_json(end) or ""
        first, last = low[:10], high[:10]
        for path in self.day_paths():
            if not first <= path.stem <= last:
                continue
            try:
                rows = orjson.loads(path.read_bytes()).get("records", {}).values()
            except (OSError, orjson.JSONDecodeError, AttributeError) as exc:
                self.report(f"{path}: could not be read ({exc}); run `veille doctor`")
                continue
            for rec in rows:
                if _looks_like_mention(rec) and low <= rec["created_at"] < high:
                    yield Mention.from_json(rec)

    def load_bucket(self, n: int, cold: dict[str, str] | None = None) -> None:
        """Read state bucket `n` into the index. `cold` (a deferred open's first read):
        closed plain states go there as lines, from the bucket's cache when it is
        current (store.statecache); the others are built."""
        path = self.bucket_path(n)
        signature = file_signature(path)
        self._signatures[path] = signature
        folder = self.ids.folder if self.ids is not None else None
        if cold is not None and folder is not None:
            cached = read_cache(folder, n, signature)
            if cached is not None:
                parts, caught_up = cached
                cold.update(zip(parts[1], parts[2], strict=True))
                for record in parts[0]:
                    self._take_state(path, record)
                if caught_up:  # writes noted since the cache: kept for the next open
                    write_cache(folder, n, signature, parts)
                return
        db = self._bucket_db(n)
        try:
            raw = records(db)
        except CorruptFile as exc:
            self.report(str(exc))
            return
        if cold is not None:
            parts = split_bucket(raw.values(), cold, lambda rec: self._take_state(path, rec))
            if folder is not None:
                write_cache(folder, n, signature, parts)
        else:
            held = getattr(self.index, "cold_states", None)
            for record in raw.values():
                if held and isinstance(record, dict) and record.get("target") in held:
                    value = cold_value(record)  # still closed: kept as a line if unbuilt
                    keep = self.index.keep_cold  # type: ignore[attr-defined]  # Index
                    if value is not None and keep(record["target"], value):
                        continue
                self._take_state(path, record)
        if not self.keep_buckets:
            db.storage.forget()  # type: ignore[attr-defined]  # AtomicJSONStorage

    def _take_state(self, path: Path, record: Any) -> None:
        try:
            state = _plain_state(record) or TriageState.from_json(record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.report(f"{path}: a triage record is damaged ({exc!r}); skipped")
            return
        states = self.index.states
        old = states.get(state.target)
        if old is None and not self.index.raw and not (state.merged_into or state.split_from):
            states[state.target] = state  # no group indexed yet: a plain state is only stored
        elif old is None or old != state:
            self.index.set_state(state)

    def read_bucket_file(self, n: int) -> None:
        """Parse bucket `n` as it is on disk; CorruptFile if it is damaged or unreadable."""
        records(self._bucket_db(n))

    def quarantine(self, path: Path) -> Path:
        """Move a damaged file aside (kept for a human, never deleted); a new one starts."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        moved = path.with_name(f"{path.name}.damaged-{stamp}")
        path.rename(moved)
        if self.ids is not None:
            self.ids.invalidate()  # the ids it held are gone with it
        db = self._day_dbs.pop(path, None)
        if db is not None:
            db.close()
        for n in [n for n in self._bucket_dbs if self.bucket_path(n) == path]:
            self._bucket_dbs.pop(n).close()
        self._signatures.pop(path, None)
        return moved

    def reload_changed(self, skip: Collection[Path] = ()) -> tuple[bool, list[str]]:
        """Re-read the files another process replaced: (anything changed, new mention ids).
        `skip`: day files not loaded yet (store.loading reads them in its own time)."""
        changed = False
        new: list[str] = []
        for path, signature in self._day_signatures():
            if path in skip:
                continue
            if signature != self._signatures.get(path):
                new += self.load_day(path)
                changed = True
        for n in range(BUCKETS):
            if self.bucket_changed(n):
                self.load_bucket(n)
                changed = True
        return changed, new

    def _day_signatures(self) -> list[tuple[Path, Signature]]:
        """(`day_paths()`, each one's `file_signature`), from one listing of the folder
        (a refresh runs twice a store call: `veille watch` makes one per source)."""
        folder, paths = self.root / "mentions", self._day_paths
        found: list[tuple[Path, Signature]] = []
        try:
            entries = sorted(os.scandir(folder), key=_name)  # as sorted Paths of one folder
        except FileNotFoundError:
            return found
        for entry in entries:
            name = entry.name
            if not name.endswith(".json"):  # as pathlib's glob("*.json"), hidden ones too
                continue
            path = paths.get(name)
            if path is None:
                path = paths[name] = folder / name
            try:
                st = entry.stat()
            except FileNotFoundError:
                found.append((path, None))
                continue
            found.append((path, (st.st_ino, st.st_size, st.st_mtime_ns)))
        return found

    def bucket_changed(self, n: int) -> bool:
        path = self.bucket_path(n)
        return file_signature(path) != self._signatures.get(path)

    # ------------------------------------------------------------------ writing

    def write_day(
        self,
        when: date,
        day: Sequence[Mention],
        ids_later: list[tuple[Path, Signature, list[dict[str, Any]]]] | None = None,
    ) -> None:
        """Store one day's new mentions durably (one atomic write) and index them.
        `ids_later`: what the id index must record is put there, for one
        `IdIndex.record_days` after every day of the ingest is written."""
        path = self.day_path(when)
        try:
            records(self._day_db(path))
        except CorruptFile as exc:  # a damaged day must not stop every fetch: set it aside
            moved = self.quarantine(path)
            self.report(
                f"{exc} -- moved to {moved.name}; what the sources still serve is refetched"
            )
        before = file_signature(path)
        rows = [m.to_json() for m in day]
        append_records(self._day_db(path), rows)
        self._signatures[path] = file_signature(path)
        if ids_later is not None:
            ids_later.append((path, before, rows))
        elif self.ids is not None:
            self.ids.record(path, before, rows)
        for m, rec in zip(day, rows, strict=True):
            self.index.add_record(rec, m)
        if self.window is not None:
            self.release_day(path)  # the index holds what it keeps (store.hotwindow)

    def write_state(self, state: TriageState) -> None:
        self.write_buckets({bucket_of(state.target): [state]})

    def write_buckets(self, groups: Mapping[int, Sequence[TriageState]]) -> None:
        """Write states, grouped by bucket: each bucket file replaced once, atomically.

        Every bucket is read (CorruptFile: a damaged file is never overwritten) before
        any is written."""
        plan: list[tuple[int, AtomicJSONStorage, dict[str, Any]]] = []
        before: dict[int, Signature] = {}
        for n, states in groups.items():
            storage = self._bucket_db(n).storage
            assert isinstance(storage, AtomicJSONStorage)
            data = storage.read() or {}
            before[n] = file_signature(self.bucket_path(n))  # the file read (under the lock)
            rows = data.setdefault("records", {})
            for state in states:
                rows[str(doc_id_for(state.target))] = state.to_json()
            plan.append((n, storage, data))
        try:
            atomic_write_many([(self.bucket_path(n), orjson.dumps(data)) for n, _, data in plan])
        except StoreError:
            for _, storage, _ in plan:
                storage.forget()  # their parsed copies were changed in place
            raise
        for n, storage, data in plan:
            storage.written(data)
            after = file_signature(self.bucket_path(n))
            self._signatures[self.bucket_path(n)] = after
            if self.ids is not None:  # the next open's state cache follows (store.statecache)
                note_write(self.ids.folder, n, before[n], after, [s.to_json() for s in groups[n]])
            for state in groups[n]:
                self.index.set_state(state)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def append_records(db: TinyDB, rows: Sequence[dict[str, Any]]) -> None:
    """Add records to a day file in one atomic write, as TinyDB's `insert_multiple` of
    `Document(row, doc_id=doc_id_for(row["id"]))` would write them (a doc id already
    there keeps its first copy; new ones after the old, in order), without TinyDB's
    rebuild of the whole table with integer keys and back (~15 us a record, paid on
    every record of the day, old ones included)."""
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    data = storage.read() or {}
    held = data.setdefault("records", {})
    added = 0
    for row in rows:
        key = str(doc_id_for(row["id"]))
        if key not in held:
            held[key] = dict(row)  # the index keeps `row` itself (as TinyDB copied it)
            added += 1
    if added:
        storage.write(data)


def _looks_like_mention(rec: Any) -> bool:
    return (
        isinstance(rec, dict)
        and isinstance(rec.get("id"), str)
        and isinstance(rec.get("platform"), str)
        and isinstance(rec.get("created_at"), str)
    )
