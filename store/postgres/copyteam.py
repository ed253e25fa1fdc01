"""What `veille store copy` moves besides the archive and the journal: the people list
and every user's read marks (the folder store's `people.json` and `reads/<user>.json`,
PostgreSQL's `people` and `read_marks` tables), counted on both sides.

A folder store names a read-marks file by its user (`store.reads.file_stem`), or by a
hash when the name is unusual: such a file is matched to a user of the journal, and
one whose user the journal never names is said and left out (it cannot be attributed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from store.files import atomic_write, make_folder
from store.people import people_file
from store.postgres.reads import UPSERT_MARK
from store.postgres.store import PgStore
from store.reads import Mark, file_stem
from triage.people import People

if TYPE_CHECKING:
    from store.inbox import Inbox

    AnyStore = Inbox | PgStore

Marks = dict[str, dict[str, Mark]]  # user -> group id -> (copies, notes by others)


def people_of(store: AnyStore) -> People:
    return people_file(store.location).load()


def put_people(store: AnyStore, people: People) -> None:
    if people.persons:
        people_file(store.location).update(lambda _: people)


def read_marks(store: AnyStore, say: Callable[[str], None] = print) -> Marks:
    """Every user's marks."""
    if isinstance(store, PgStore):
        marks: Marks = {}
        for who, gid, copies, notes in store._query(
            "SELECT who, group_id, copies, notes FROM read_marks ORDER BY who, group_id"
        ):
            marks.setdefault(who, {})[gid] = (int(copies), int(notes))
        return marks
    return _folder_marks(store, say)


def _folder_marks(store: Inbox, say: Callable[[str], None]) -> Marks:
    store.flush_reads()
    folder = Path(store.location) / "reads"
    if not folder.is_dir():
        return {}
    users = {e.who for e in store.events()} | {store.user}
    by_stem = {file_stem(u): u for u in users}
    marks: Marks = {}
    for path in sorted(p for p in folder.glob("*.json") if not p.name.startswith(".")):
        user = by_stem.get(path.stem, path.stem if file_stem(path.stem) == path.stem else None)
        if user is None:
            say(f"{path.name}: read marks of a user the journal never names, left out")
            continue
        try:
            data = json.loads(path.read_bytes() or b"{}")
        except (OSError, ValueError) as exc:
            say(f"{path.name}: read marks unreadable ({exc}), left out")
            continue
        if isinstance(data, dict):
            marks[user] = {
                gid: (m[0], m[1])
                for gid, m in data.items()
                if isinstance(m, list) and len(m) == 2 and all(isinstance(n, int) for n in m)
            }
    return marks


def put_read_marks(store: AnyStore, marks: Marks) -> None:
    if isinstance(store, PgStore):
        rows = [(who, gid, *m) for who, mine in marks.items() for gid, m in mine.items()]
        if rows:
            with store._tx() as conn:
                conn.cursor().executemany(UPSERT_MARK, rows)
        return
    folder = Path(store.location) / "reads"
    for who, mine in marks.items():
        make_folder(folder)
        atomic_write(
            folder / f"{file_stem(who)}.json", json.dumps(mine, separators=(",", ":")).encode()
        )


def count_marks(marks: Marks) -> int:
    return sum(len(m) for m in marks.values())
