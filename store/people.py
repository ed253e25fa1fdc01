"""The people list of a folder store: `people.json` beside the other store files
(a PostgreSQL store keeps its own in a table: store.postgres.people, same interface).

Small (one record per person someone cared to link, tag or note), so it is one JSON
file, rewritten whole and atomically (temp file, fsync, rename, fsync the folder) under
the store's own lock, re-read by signature first so two processes never lose each
other's change. A damaged file is reported in words and never read as empty or
overwritten (`veille person` refuses to write until it is fixed or set aside).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import orjson

from store.errors import StoreError
from store.files import atomic_write, describe_io_error, file_signature
from store.lock import StoreLock
from triage.people import People

FILE = "people.json"


class PeopleFile:
    """`load()` the people of a store folder; `update(change)` them durably."""

    def __init__(self, root: str | Path, lock_timeout: float = 10.0):
        self.root = Path(root)
        self.path = self.root / FILE
        self.lock = StoreLock(self.root / "lock", timeout=lock_timeout)
        self._cache: tuple[tuple[int, int, int] | None, People] = (None, People())

    def load(self) -> People:
        """The people as the file holds them now (an absent file: nobody yet)."""
        signature = file_signature(self.path)
        if signature is None:
            return People()
        if signature == self._cache[0]:
            return self._cache[1]
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return People()
        except OSError as exc:
            raise StoreError(describe_io_error(exc, self.path)) from exc
        try:
            data = orjson.loads(raw)
            people = People.from_json(data)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StoreError(
                f"{self.path} is damaged ({type(exc).__name__}: {exc}); it was left as it is: "
                "move it aside to start a new people list"
            ) from None
        self._cache = (signature, people)
        return people

    def update(self, change: Callable[[People], People]) -> People:
        """Apply `change` to the current list and write it before returning (ValueError
        from `change` leaves the file as it was)."""
        if not self.root.is_dir():
            raise StoreError(f"no store at {self.root}")
        with self.lock:
            people = change(self.load())
            atomic_write(self.path, orjson.dumps(people.to_json(), option=orjson.OPT_INDENT_2))
            self._cache = (file_signature(self.path), people)
        return people


class PeopleList(Protocol):
    """What `veille person`, the person pane and the rules ask of a people list."""

    def load(self) -> People: ...
    def update(self, change: Callable[[People], People]) -> People: ...


# a database store's location (its local folder) -> the open stores that serve it
_databases: dict[str, list[weakref.ref[Any]]] = {}
_registry = threading.Lock()


def register_database(location: str, store: Any) -> None:
    """`store` (open, with a `people_list`) keeps the people of `location`: callers
    that name a store by its location (`people_file(store.location)`) reach its table."""
    with _registry:
        refs = [r for r in _databases.get(location, []) if r() is not None]
        _databases[location] = [*refs, weakref.ref(store)]


def _database(location: str) -> PeopleList | None:
    with _registry:
        refs = list(_databases.get(location, []))
    for ref in reversed(refs):
        store = ref()
        if store is not None and not getattr(store, "closed", False):
            return store.people_list
    return None


def people_file(location: str) -> PeopleList:
    """The people list of the store at `location`: a folder store's `people.json`, or
    the `people` table of an open PostgreSQL store (store.postgres.people)."""
    database = _database(location)
    if database is not None:
        return database
    root = Path(location)
    if not root.is_dir():
        raise StoreError(f"people lists live in a folder store; {location!r} is not one")
    return PeopleFile(root)
