"""Per-source health and cursor: one small JSON file per source in a folder the caller gives.

The status bar and `veille sources` read it; the poller rewrites one source's file after
that source's poll. The cursor (ETag, Last-Modified, since_id, ...) lives in the same
record so both are replaced together, atomically (temp file, rename): a crash
leaves the previous complete file, never half of one. The poller advances a cursor only
once the caller has stored that poll's mentions, so a crash repeats a poll, never loses one.

`veille watch` asks for every source's record each round (which are due, which started
failing): the records read are kept with their file's signature (inode, size, mtime), and
a file is read again only when its signature changed (another process wrote it); one
folder listing gives every signature (`load_many`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from triage.model import dt_from_json, dt_to_json

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

Signature = tuple[int, int, int]  # (inode, size, mtime_ns): a replace changes the inode


def _dt(value: Any) -> datetime | None:
    try:
        return dt_from_json(value) if value else None
    except (TypeError, ValueError):
        return None


def _json_dt(value: datetime | None) -> str | None:
    return dt_to_json(value) if value else None


@dataclass(slots=True)
class SourceHealth:
    """What a user needs to know about one source: is it working, and when next."""

    name: str
    kind: str = ""
    last_ok: datetime | None = None
    last_error: str = ""  # in words; "" once a poll succeeds again
    last_error_at: datetime | None = None
    next_poll: datetime | None = None
    items_seen: int = 0  # entries read over the source's life
    last_items: int = 0  # entries read by the latest successful poll
    consecutive_failures: int = 0  # drives the circuit's backoff
    warnings: list[str] = field(default_factory=list)  # from the latest poll
    cursor: dict[str, Any] = field(default_factory=dict)
    problem: str = ""  # why the saved file could not be read ("" when fine); not saved

    @property
    def status(self) -> str:
        if self.consecutive_failures:
            return "failing"
        if self.last_ok is None:
            return "never polled"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "last_ok": _json_dt(self.last_ok),
            "last_error": self.last_error,
            "last_error_at": _json_dt(self.last_error_at),
            "next_poll": _json_dt(self.next_poll),
            "items_seen": self.items_seen,
            "last_items": self.last_items,
            "consecutive_failures": self.consecutive_failures,
            "warnings": list(self.warnings),
            "cursor": dict(self.cursor),
        }

    def copy(self) -> SourceHealth:
        """A record the caller may change (the cached one stays as read)."""
        return SourceHealth(
            self.name,
            self.kind,
            self.last_ok,
            self.last_error,
            self.last_error_at,
            self.next_poll,
            self.items_seen,
            self.last_items,
            self.consecutive_failures,
            list(self.warnings),
            {
                k: copy.deepcopy(v) if isinstance(v, dict | list) else v
                for k, v in self.cursor.items()
            },
            self.problem,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceHealth:
        cursor = data.get("cursor")
        return cls(
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            last_ok=_dt(data.get("last_ok")),
            last_error=str(data.get("last_error", "")),
            last_error_at=_dt(data.get("last_error_at")),
            next_poll=_dt(data.get("next_poll")),
            items_seen=int(data.get("items_seen", 0)),
            last_items=int(data.get("last_items", 0)),
            consecutive_failures=int(data.get("consecutive_failures", 0)),
            warnings=[str(w) for w in data.get("warnings", [])],
            cursor=dict(cursor) if isinstance(cursor, dict) else {},
        )


def _signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _file_name(name: str) -> str:
    """A file name for any source name (readable when possible, collision-free always)."""
    safe = _SAFE.sub("_", name).strip("._")[:60] or "source"
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{safe}-{digest}.json"


class HealthFiles:
    """The folder of health records: `load(name, kind)`, `load_many` and `save(record)`.

    Records read or written by this object are kept with their file's signature and
    handed out as copies; a file whose signature changed is read again."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._names: dict[str, str] = {}  # source name -> file name (a hash each: cached)
        self._known: dict[str, tuple[Signature, SourceHealth]] = {}  # by file name

    def _file(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = _file_name(name)
        return found

    def path(self, name: str) -> Path:
        return self.folder / self._file(name)

    def load(self, name: str, kind: str = "") -> SourceHealth:
        """The saved record, or a fresh one; a damaged file costs a re-poll, never a crash."""
        file = self.path(name)
        try:
            signature: Signature | None = _signature(os.stat(file))
        except FileNotFoundError:
            self._known.pop(file.name, None)
            return SourceHealth(name=name, kind=kind)
        except OSError:
            signature = None  # said by the read below
        return self._load(name, kind, file.name, signature)

    def load_many(self, sources: list[tuple[str, str]]) -> list[SourceHealth]:
        """`load` of each (name, kind), the folder listed once for every signature (a
        store that keeps the records elsewhere overrides both: app.dbhealth)."""
        signatures: dict[str, Signature | None] = {}
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    try:
                        signatures[entry.name] = _signature(entry.stat(follow_symlinks=True))
                    except OSError:
                        signatures[entry.name] = None  # said by the read
        except FileNotFoundError:
            self._known.clear()
            return [SourceHealth(name=name, kind=kind) for name, kind in sources]
        except OSError:
            return [self.load(name, kind) for name, kind in sources]
        out = []
        for name, kind in sources:
            file_name = self._file(name)
            if file_name not in signatures:
                self._known.pop(file_name, None)
                out.append(SourceHealth(name=name, kind=kind))
                continue
            out.append(self._load(name, kind, file_name, signatures[file_name]))
        return out

    def _load(
        self, name: str, kind: str, file_name: str, signature: Signature | None
    ) -> SourceHealth:
        """The record in `file_name`: the one kept when its signature is unchanged, else
        the file's (read, and kept)."""
        known = self._known.get(file_name)
        if known is not None and signature is not None and known[0] == signature:
            record = known[1].copy()
        else:
            file = os.path.join(self.folder, file_name)  # a str: no pathlib cost per source
            try:
                with open(file, "rb") as fh:
                    signature = _signature(os.fstat(fh.fileno()))  # of the bytes read
                    data = orjson.loads(fh.read())
                record = SourceHealth.from_json(data)
            except FileNotFoundError:
                self._known.pop(file_name, None)
                return SourceHealth(name=name, kind=kind)
            except (OSError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
                self._known.pop(file_name, None)
                why = exc.strerror if isinstance(exc, OSError) else str(exc)
                return SourceHealth(name=name, kind=kind, problem=f"{file} is unreadable ({why})")
            self._known[file_name] = (signature, record.copy())
        record.name = name
        record.kind = kind or record.kind
        return record

    def save(self, record: SourceHealth) -> None:
        """Replace the record's file atomically (temp file in the folder, rename).

        Not fsynced, on purpose: a record lost to a power cut only repeats a poll (the
        store drops mentions it already has, and `load` treats a damaged file as fresh),
        while 200 sources x one fsync each cost a first `veille fetch` ~0.15 s.
        """
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        file = self.path(record.name)
        payload = orjson.dumps(record.to_json(), option=orjson.OPT_INDENT_2)
        fd, tmp = tempfile.mkstemp(prefix=".health-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
                out.flush()
                signature = _signature(os.fstat(out.fileno()))  # a rename keeps these
            os.replace(tmp, file)
        except BaseException:
            self._known.pop(file.name, None)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        # kept as a read of the file would give it (times as precise as the JSON's)
        self._known[file.name] = (signature, SourceHealth.from_json(orjson.loads(payload)))
