"""Unread per person: each user's own read marks, in the store folder.

A group is read by a user once they opened it in the thread pane; it is unread again
when a copy arrives (or a story is merged in) or someone else adds a note. A mark is
what the user saw: `[copies, notes by others]`, so no clock is compared and a mark
survives refetches and restarts. One file per user, `reads/<user>.json`.

Cheap to write: a mark is made in memory (the cursor resting on a row makes one) and
written at most once a second by a timer thread, so a crash loses at most the last
second of marks; the timer is not a daemon, so a normal exit writes what is left. A
write merges with the file under a per-user lock (`reads/<user>.lock`, not the store
lock: an ingest holding it for seconds must not delay a mark), so two sessions of one
user lose neither's marks, then replaces it atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from store.files import atomic_write, create_file, make_folder
from triage.views import GroupView

if TYPE_CHECKING:
    from triage.filter import FilterSubject

FLUSH_EVERY = 1.0  # seconds: the most a crash can lose
Mark = tuple[int, int]  # (copies seen, notes by others seen)


def file_stem(user: str) -> str:
    """A file name for any user name (a hostile one is hashed)."""
    if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", user) and not user.startswith("."):
        return user
    return "u-" + hashlib.blake2b(user.encode(), digest_size=8).hexdigest()


def others_notes(view: GroupView, user: str) -> int:
    return sum(1 for n in view.state.notes if n.by != user)


class Reads:
    """One user's read marks (see the module)."""

    def __init__(self, folder: Path, user: str, flush_every: float = FLUSH_EVERY) -> None:
        self.folder = folder
        self.user = user
        self.path = folder / f"{file_stem(user)}.json"
        self.flush_every = flush_every
        self.problems: list[str] = []
        self._marks: dict[str, Mark] = self._read()
        self._dirty: dict[str, Mark] = {}
        self._mutex = threading.Lock()
        self._writing = threading.Lock()  # one flush at a time: a second one waits for it
        self._timer: threading.Timer | None = None

    # ------------------------------------------------------------------ reading
    def _read(self) -> dict[str, Mark]:
        try:
            data = json.loads(self.path.read_bytes() or b"{}")
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # damaged: said, not overwritten blindly
            self.problems.append(f"{self.path}: read marks unreadable ({exc}); starting afresh")
            return {}
        marks: dict[str, Mark] = {}
        if isinstance(data, dict):
            for gid, mark in data.items():
                if isinstance(mark, list) and len(mark) == 2 and all(isinstance(n, int) for n in mark):
                    marks[gid] = (mark[0], mark[1])
        return marks

    def is_unread(self, subject: FilterSubject | GroupView) -> bool:
        """Unread for this user: never opened, or a copy or someone else's note since."""
        if not isinstance(subject, GroupView):
            return False
        mark = self._marks.get(subject.group_id)
        if mark is None:
            return True
        return subject.size > mark[0] or others_notes(subject, self.user) > mark[1]

    # ------------------------------------------------------------------ writing
    def mark(self, view: GroupView) -> bool:
        """The user opened this group: read (written within a second). True if it changed."""
        mark = (view.size, others_notes(view, self.user))
        with self._mutex:
            if self._marks.get(view.group_id) == mark:
                return False
            self._marks[view.group_id] = mark
            self._dirty[view.group_id] = mark
            if self._timer is None:
                self._timer = threading.Timer(self.flush_every, self.flush)
                self._timer.name = "veille-reads"
                self._timer.start()
        return True

    def flush(self) -> None:
        """Write the marks made since the last write (merged with the file); returns
        once every mark made before the call is on disk."""
        with self._writing:
            self._flush()

    def _flush(self) -> None:
        with self._mutex:
            self._timer = None
            dirty, self._dirty = self._dirty, {}
        if not dirty:
            return
        try:
            make_folder(self.folder)
            fd = create_file(self.folder / f"{file_stem(self.user)}.lock", os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                on_disk = self._read()
                merged = {**on_disk, **dirty}
                atomic_write(self.path, json.dumps(merged, separators=(",", ":")).encode())
            finally:
                os.close(fd)
        except Exception as exc:  # a full disk: marks kept in memory, tried again later
            with self._mutex:
                self._dirty = {**dirty, **self._dirty}
            self.problems.append(f"{self.path}: read marks not saved ({exc})")
            return
        with self._mutex:
            for gid, mark in on_disk.items():  # another session of this user read these
                if gid not in self._dirty and gid not in dirty:  # not what we just wrote
                    self._marks[gid] = mark

    def close(self) -> None:
        with self._mutex:
            timer = self._timer
        if timer is not None:
            timer.cancel()
        with contextlib.suppress(Exception):
            self.flush()


class ReadActions:
    """Mixed into `store.inbox.Inbox` (through store.merges.StoryActions): the user's
    own read state, `is:unread`, and the counts."""

    if TYPE_CHECKING:
        user: str

        @property
        def location(self) -> str: ...

    _reads: Reads | None = None

    @property
    def reads(self) -> Reads:
        if self._reads is None:
            self._reads = Reads(Path(self.location) / "reads", self.user)
        return self._reads

    def mark_read(self, view: GroupView) -> bool:
        """This user opened `view` in the thread pane (written within a second)."""
        return self.reads.mark(view)

    def is_unread(self, subject: FilterSubject | GroupView) -> bool:
        return self.reads.is_unread(subject)

    def flush_reads(self) -> None:
        """Write the marks now (a face closing); the timer then finds nothing to do."""
        if self._reads is not None:
            self._reads.flush()
