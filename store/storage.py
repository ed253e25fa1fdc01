"""A TinyDB Storage that is durable and cheap to re-read.

TinyDB's JSONStorage rewrites in place (a crash mid-write corrupts the file) and re-parses
the file on every read. This one writes with orjson through an atomic replace, and keeps
the parsed data until the file's signature (inode, size, mtime) says another process
replaced it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store.errors import StoreError
from store.files import atomic_write, describe_io_error, file_signature


class CorruptFile(StoreError):
    """A store file that does not parse: reported with its path, the rest opens."""


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | Path, **_: Any) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self._signature: tuple[int, int, int] | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        signature = file_signature(self.path)
        if signature is None:
            self._data, self._signature = None, None
            return None
        if self._data is not None and signature == self._signature:
            return self._data
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise CorruptFile(describe_io_error(exc, self.path)) from exc
        if not raw.strip():  # our writes are atomic: an empty file is damage, not "no data"
            raise CorruptFile(
                f"{self.path} is empty ({len(raw)} bytes): it was damaged and is left as it is; "
                "run `veille doctor` to repair it"
            )
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise CorruptFile(
                f"{self.path} is not valid JSON ({exc}): it is damaged and was left as it is; "
                "run `veille doctor` to repair it"
            ) from exc
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise CorruptFile(
                f"{self.path} does not hold TinyDB tables; it was left as it is; "
                "run `veille doctor` to repair it"
            )
        self._data, self._signature = data, signature
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            atomic_write(self.path, orjson.dumps(data))
        except StoreError:
            self._data, self._signature = None, None  # TinyDB changed our cached dict in place
            raise
        self._data, self._signature = data, file_signature(self.path)

    def encode(self, data: dict[str, dict[str, Any]]) -> bytes:
        return orjson.dumps(data)

    def written(self, data: dict[str, dict[str, Any]]) -> None:
        """`data` was just written to the file by someone else's atomic replace (one of
        several at once: store.files.atomic_write_many): keep it as the parsed copy."""
        self._data, self._signature = data, file_signature(self.path)

    def forget(self) -> None:
        """The cached copy may have been changed in place by a write that failed."""
        self._data, self._signature = None, None

    def changed(self) -> bool:
        """True when the file on disk is not the one last read or written."""
        return file_signature(self.path) != self._signature

    def close(self) -> None:
        self._data = None


def open_tinydb(path: Path) -> TinyDB:
    """A TinyDB on our storage, with the query cache off (other processes write too)."""
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.default_table_name = "records"
    return db


def table(db: TinyDB) -> Table:
    return db.table("records", cache_size=0)


def records(db: TinyDB) -> dict[str, Any]:
    """The raw records of a store file, as parsed (no Document per record: at 100k
    mentions the copies cost more than the parse). CorruptFile if it does not parse."""
    data = db.storage.read() or {}
    return data.get("records", {})
