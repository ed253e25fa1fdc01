"""Rules owed, in the folder store: the new posts whose `[[rules]]` have not run yet.

`app.rules.ingest_with_rules` stores posts, then runs the rules on their groups. A
process killed in between loses those actions for good unless something remembers
them: the cursor was not saved, so the posts come back, but as known ones, which no
rule looks at. So an ingest told to (`owe_rules`) writes one record per batch,
`owed/<random>.json` (owner, time, tries, ids), fsynced with its folder under the
store lock BEFORE the day files; the rules' end removes it (`settle_rules`). A record
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
from store.files import create_file, describe_os_error, fsync_dir, make_folder, replace_hint
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


class OwedRecords:
    """The folder store's part (a mixin of store.inbox.Inbox): written by `ingest`."""

    root: Path
    lock: Any
    mutex: Any
    _owed_mine: dict[str, set[str]]  # this process's records: file name -> ids not settled

    def _owe(self, ids: list[str]) -> None:
        """Write the record of `ids` (under the store lock, before their day files)."""
        folder = self.root / FOLDER
        make_folder(folder)
        name = f"{uuid.uuid4().hex}.json"
        path = folder / name
        try:
            fd = create_file(path, os.O_WRONLY | os.O_EXCL)
            try:
                view = memoryview(_record(me(), ids, 0))
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            fsync_dir(folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            raise StoreError(describe_os_error(exc, path)) from exc
        self._mine()[name] = set(ids)
        crash_point("after-owed")

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
                if not path.exists():
                    continue  # settled meanwhile
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
                    path.unlink()
                continue
            mine[name] = left
            with self.mutex, self.lock, contextlib.suppress(OSError):
                found = _read(path)
                if found is not None:
                    replace_hint(path, _record(found[0], sorted(left), found[2]))
