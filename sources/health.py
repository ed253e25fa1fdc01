"""Per-source health and cursor: one small JSON file per source in a folder the caller gives.

The status bar and `veille sources` read it; the poller rewrites one source's file after
that source's poll. The cursor (ETag, Last-Modified, since_id, ...) lives in the same
record so both are replaced together, atomically (temp file, rename): a crash
leaves the previous complete file, never half of one. The poller advances a cursor only
once the caller has stored that poll's mentions, so a crash repeats a poll, never loses one.
"""

from __future__ import annotations

import contextlib
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


def _file_name(name: str) -> str:
    """A file name for any source name (readable when possible, collision-free always)."""
    safe = _SAFE.sub("_", name).strip("._")[:60] or "source"
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{safe}-{digest}.json"


class HealthFiles:
    """The folder of health records: `load(name, kind)` and `save(record)`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        return self.folder / _file_name(name)

    def load(self, name: str, kind: str = "") -> SourceHealth:
        """The saved record, or a fresh one; a damaged file costs a re-poll, never a crash."""
        file = self.path(name)
        try:
            data = orjson.loads(file.read_bytes())
            record = SourceHealth.from_json(data)
        except FileNotFoundError:
            return SourceHealth(name=name, kind=kind)
        except (OSError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else str(exc)
            return SourceHealth(name=name, kind=kind, problem=f"{file} is unreadable ({why})")
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
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
