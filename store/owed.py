"""Rules owed, in the folder store: the new posts whose `[[rules]]` have not run yet.

`app.rules.ingest_with_rules` stores posts, then runs the rules on their groups. A
process killed in between loses those actions for good unless something remembers
them: the cursor was not saved, so the posts come back, but as known ones, which no
rule looks at. So an ingest told to (`owe_rules`) writes one record per batch,
`owed/<random>.json` (owner, time, tries, ids), fsynced under the store lock BEFORE
the day files; the rules' end empties it (`settle_rules`), and the process's next
record is written into that same file: one fsync, no new folder entry (a new file,
fsynced with its folder, only when the last record is still owed). A record
whose posts were never stored (killed between the two writes) names ids no store
knows: its replay drops them. A torn record can only be such a one (the day files are
written after its fsync): it is removed.

`owed_rules` hands the caller the records that are due: their owner is a dead process
of this host (store.owner), or they are older than OWED_AGE (an owner elsewhere, or
alive and stuck). The claim rewrites the record in the caller's name, so a second
process does not replay it too; a record claimed MAX_TRIES times is given up (a post
that kills whoever runs its rules must not stop every restart).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from store.crash import crash_point
from store.errors import StoreError
from store.files import (
    create_file,
    describe_os_error,
    fsync_dir,
    make_folder,
    replace_hint,
    write_all,
)
from store.owner import Owner, dead, me
from triage.model import dt_from_json, dt_to_json, utcnow

OWED_AGE = timedelta(minutes=10)
MAX_TRIES = 3
FOLDER = "owed"


def _record(owner: Owner, ids: list[str], tries: int) -> bytes:
    return orjson.dumps(
        {"owner": owner.to_json(), "at": dt_to_json(utcnow()), "tries": tries, "ids": ids}
    )


def _read(path: Path) -> tuple[Owner, Any, int, list[str]] | None:
    """(owner, at, tries, ids); None for a file that is not a whole record."""
    try:
        raw = orjson.loads(path.read_bytes())
        owner, at = Owner.from_json(raw["owner"]), dt_from_json(raw["at"])
        tries, ids = int(raw["tries"]), raw["ids"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if owner is None or at is None or not isinstance(ids, list):
        return None
    return owner, at, tries, [i for i in ids if isinstance(i, str)]


def _write(path: Path, data: bytes, flags: int) -> None:
    """The record, fsynced: written from the start, the file cut to its length. Torn by
    a kill, it is a record whose posts were never stored (they come after the fsync)."""
    fd = create_file(path, flags) if flags & os.O_CREAT else os.open(path, flags)
    try:
        write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


class OwedRecords:
    """The folder store's part (a mixin of store.inbox.Inbox): written by `ingest`."""

    root: Path
    lock: Any
    mutex: Any
    _owed_mine: dict[str, set[str]]  # this process's records: file name -> ids not settled

    def _owe(self, ids: list[str]) -> None:
        """Write the record of `ids` (under the store lock, before their day files):
        into this process's slot when its last record is settled (one fsync: the file
        exists), else into a new file (its fsync and its folder's), the next slot."""
        folder = self.root / FOLDER
        data = _record(me(), ids, 0)
        mine = self._mine()
        slot = self._slot()
        if slot is not None and slot not in mine:
            try:
                _write(folder / slot, data, os.O_WRONLY)
            except FileNotFoundError:  # removed while idle (owed_rules): a new one
                pass
            except OSError as exc:
                raise StoreError(describe_os_error(exc, folder / slot)) from exc
            else:
                mine[slot] = set(ids)
                crash_point("after-owed")
                return
        make_folder(folder)
        name = f"{uuid.uuid4().hex}.json"
        path = folder / name
        try:
            _write(path, data, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            fsync_dir(folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            raise StoreError(describe_os_error(exc, path)) from exc
        self.__dict__["_owed_slot"] = (os.getpid(), name)
        mine[name] = set(ids)
        crash_point("after-owed")

    def _slot(self) -> str | None:
        """This process's reusable record file (not a forked parent's)."""
        slot: tuple[int, str] | None = self.__dict__.get("_owed_slot")
        return slot[1] if slot is not None and slot[0] == os.getpid() else None

    def _mine(self) -> dict[str, set[str]]:
        mine: dict[str, set[str]] | None = self.__dict__.get("_owed_mine")
        if mine is None:
            mine = self.__dict__.setdefault("_owed_mine", {})
        return mine

    def owed_rules(
        self, settled: Sequence[str] = (), age: timedelta = OWED_AGE
    ) -> tuple[list[str], list[str]]:
        """`settle_rules(settled)`, then claim the due records: (the mention ids whose
        rules to run now, the ids given up after MAX_TRIES). One listing of an empty
        folder when no rule is owed."""
        if settled:
            self.settle_rules(settled)
        folder = self.root / FOLDER
        try:
            names = [e.name for e in os.scandir(folder) if e.name.endswith(".json")]
        except FileNotFoundError:
            return [], []
        if not names:
            return [], []
        claimed: list[str] = []
        given_up: list[str] = []
        now, owner = utcnow(), me()
        with self.mutex, self.lock:
            mine = self._mine()
            for name in names:
                path = folder / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue  # settled meanwhile
                if not st.st_size:  # a free slot; an idle one (its process gone?) goes
                    if (
                        name != self._slot()
                        and now.timestamp() - st.st_mtime >= age.total_seconds()
                    ):
                        with contextlib.suppress(OSError):
                            path.unlink()
                    continue
                found = _read(path)
                if found is None:  # torn: written by a process killed before its day files
                    with contextlib.suppress(OSError):
                        path.unlink()
                    continue
                was, at, tries, ids = found
                if not (dead(was) or now - at >= age):
                    continue
                if tries >= MAX_TRIES:
                    with contextlib.suppress(OSError):
                        path.unlink()
                    mine.pop(name, None)
                    given_up.extend(ids)
                    continue
                try:  # a hint: lost, the record is still the dead owner's, due again
                    replace_hint(path, _record(owner, ids, tries + 1))
                except OSError:
                    continue
                mine[name] = set(ids)
                claimed.extend(ids)
        return claimed, given_up

    def settle_rules(self, ids: Sequence[str]) -> None:
        """The rules have run on these posts: their records go (not fsynced: a record
        that comes back replays rules that see their own notes and do nothing)."""
        done = set(ids)
        mine = self._mine()
        for name, owed in list(mine.items()):
            left = owed - done
            if left == owed:
                continue
            path = self.root / FOLDER / name
            if not left:
                mine.pop(name, None)
                with contextlib.suppress(OSError):
                    if name == self._slot():
                        os.truncate(path, 0)  # free for the next record
                    else:
                        path.unlink()
                continue
            mine[name] = left
            with self.mutex, self.lock, contextlib.suppress(OSError):
                found = _read(path)
                if found is not None:
                    replace_hint(path, _record(found[0], sorted(left), found[2]))
