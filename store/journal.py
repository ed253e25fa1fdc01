"""The append-only journal: one JSON line per event, one file per UTC month.

It is the audit trail, the source of undo and of reports, and the store's redo log.
A line torn by a crash at the end is skipped when reading and cut off by the next
append (it was never acknowledged: an append is fsynced before its action is); a
damaged line anywhere else is skipped and reported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import orjson

from store.files import append_durably, file_signature
from store.hints import overwrite_hint
from triage.model import Event

TAIL_BYTES = 65536
CHECKED = ".checked.json"  # how far each month's file was checked, and its damaged lines
APPLIED = ".applied"  # the journal's mark once every event in it is in its state bucket


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[Path, tuple[tuple[int, int, int] | None, int, list[Event]]] = {}

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.jsonl"))

    def append(self, event: Event) -> tuple[Path, int]:
        return self.append_many([event])

    def append_many(self, events: Sequence[Event]) -> tuple[Path, int]:
        """Append events made at one moment (one month's file): one write, one fsync."""
        path = self.folder / f"{events[0].at:%Y-%m}.jsonl"
        data = b"".join(orjson.dumps(e.to_json()) + b"\n" for e in events)
        size = append_durably(path, data)
        return path, size

    def mark(self) -> tuple[str, tuple[int, int, int] | None] | None:
        """The newest file and its signature: equal marks mean nobody appended since."""
        files = self.files()
        return (files[-1].name, file_signature(files[-1])) if files else None

    def truncate(self, path: Path, size: int) -> None:
        try:
            with open(path, "r+b") as fh:
                fh.truncate(size)
                os.fsync(fh.fileno())
        except OSError:
            pass

    def applied(self) -> object:
        """The mark `set_applied` last recorded (None if none could be read)."""
        try:
            name, ino, size, mtime = orjson.loads((self.folder / APPLIED).read_bytes())
            return (name, (ino, size, mtime))
        except (OSError, orjson.JSONDecodeError, TypeError, ValueError):
            return None

    def set_applied(self, mark: tuple[str, tuple[int, int, int] | None] | None) -> None:
        """Say that every event up to `mark` is in its bucket, durably: the next writer
        need not read the last commit back to redo it. A hint, not fsynced, written in
        place (store.hints): lost or torn, the next writer only checks the buckets again."""
        if mark is None or mark[1] is None:
            return
        with contextlib.suppress(OSError):
            overwrite_hint(self.folder / APPLIED, orjson.dumps([mark[0], *mark[1]]))

    def last_event(self) -> Event | None:
        """The newest parseable event; a line of any length (a long note) is read whole."""
        events = self.last_commit()
        return events[-1] if events else None

    def last_commit(self) -> list[Event]:
        """The events of the newest commit, oldest first: the trailing events that share
        the newest one's moment (one commit journals several in one write, by one author
        or, rules at ingest, several: `Acting.one_commit`). Two commits at the same
        microsecond would both be read: redoing is idempotent (an event is redone only
        over an older revision). Lines of any length (a long note) are read whole; torn
        lines are skipped."""
        files = self.files()
        if not files:
            return []
        with open(files[-1], "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            window = TAIL_BYTES
            while True:
                start = max(0, size - window)
                fh.seek(start)
                tail = fh.read(size - start)
                lines = tail.splitlines()
                if start > 0:
                    lines = lines[1:]  # the first one may be cut: only whole lines count
                found: list[Event] = []
                ended = False
                for line in reversed(lines):
                    # a torn line is skipped: its action was never acknowledged
                    if not line.strip() or (event := _event_of(line)) is None:
                        continue
                    if found and event.at != found[0].at:
                        ended = True
                        break
                    found.append(event)
                if ended or start == 0:
                    return found[::-1]
                window *= 4

    def read_all(self, report: Callable[[str], None] | None = None) -> Iterator[Event]:
        """Every event, oldest first; appended bytes are parsed once and cached."""
        for path in self.files():
            signature = file_signature(path)
            cached = self._cache.get(path)
            if cached is not None and cached[0] == signature:
                yield from cached[2]
                continue
            offset, events = (cached[1], list(cached[2])) if cached else (0, [])
            with open(path, "rb") as fh:
                fh.seek(offset)
                data = fh.read()
            if cached is not None and signature and signature[1] < offset:  # rewritten
                offset, events, data = 0, [], path.read_bytes()
            consumed = 0
            for line in data.splitlines(keepends=True):
                if not line.endswith(b"\n"):
                    break  # an append in progress or a torn tail: read again later
                consumed += len(line)
                if not line.strip():
                    continue
                event = _event_of(line)
                if event is not None:
                    events.append(event)
                elif report:
                    report(damaged_line(path, offset + consumed - len(line)))
            self._cache[path] = (signature, offset + consumed, events)
            yield from events

    def newest_first(self, report: Callable[[str], None] | None = None) -> Iterator[Event]:
        """Every event, newest first, read from the end of the newest month backwards:
        undo stops at the step it finds instead of parsing a year of journal. Only
        whole lines count (an append in progress or a torn tail is skipped, as in
        `read_all`); a damaged line is reported and skipped."""
        for path in reversed(self.files()):
            with open(path, "rb") as fh:
                size = fh.seek(0, os.SEEK_END)
                for offset, line in _lines_backwards(fh, size):
                    if not line.strip():
                        continue
                    event = _event_of(line)
                    if event is not None:
                        yield event
                    elif report:
                        report(damaged_line(path, offset))

    def check(self, report: Callable[[str], None]) -> None:
        """Report every damaged line of every month, on every open, cheaply: what was
        checked before is remembered (`.checked.json`: checked length and damaged offsets per
        file), so an open reads only the lines appended since. Only whole lines are judged
        (an append in progress has no newline yet); a torn tail is the redo's business."""
        marks_path = self.folder / CHECKED
        try:
            marks = orjson.loads(marks_path.read_bytes())
            if not isinstance(marks, dict):
                marks = {}
        except (OSError, orjson.JSONDecodeError):
            marks = {}
        changed = False
        for path in self.files():
            mark = marks.get(path.name)
            size = path.stat().st_size
            checked, damaged = (mark["size"], list(mark["damaged"])) if mark else (0, [])
            if checked > size:  # rewritten or cut: check it all again
                checked, damaged = 0, []
            if checked < size:
                with open(path, "rb") as fh:
                    fh.seek(checked)
                    data = fh.read(size - checked)
                for line in data.splitlines(keepends=True):
                    if not line.endswith(b"\n"):
                        break
                    if line.strip() and _event_of(line) is None:
                        damaged.append(checked)
                    checked += len(line)
                marks[path.name] = {"size": checked, "damaged": damaged}
                changed = True
            for offset in damaged:
                report(damaged_line(path, offset))
        if changed:
            # a read-only store is checked again next time: only slower
            with contextlib.suppress(OSError):  # lost or torn: checked again
                overwrite_hint(marks_path, orjson.dumps(marks))


def damaged_line(path: Path, offset: int) -> str:
    """The one wording of a damaged line, whoever finds it (an open, undo, a report), so
    that a store's problems list it once."""
    return (
        f"{path}: a damaged journal line at byte {offset} is skipped by undo and reports; "
        "run `veille doctor` to see it"
    )


def _lines_backwards(fh: BinaryIO, size: int) -> Iterator[tuple[int, bytes]]:
    """(offset, line without its newline) of every line of `fh` that ends in a newline,
    the last first, read in growing windows from the end."""
    pos, carry, window = size, b"", TAIL_BYTES
    while pos > 0:
        start = max(0, pos - window)
        fh.seek(start)
        data = fh.read(pos - start) + carry
        pos, window = start, min(window * 2, 1 << 22)
        if start > 0:  # the first line may have begun before `start`: kept for later
            cut = data.find(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry, data = data[:cut], data[cut:]
        else:
            carry = b""
        parts = data.split(b"\n")
        end = start + len(carry) + len(data) - len(parts.pop())  # a torn tail: skipped
        for line in reversed(parts):
            end -= len(line) + 1
            yield end, line


def _event_of(line: bytes) -> Event | None:
    """The event a journal line holds; None for a damaged or torn line."""
    try:
        return Event.from_json(orjson.loads(line))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
