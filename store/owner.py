"""Who owes a record, and whether that process still lives (store.owed, its PostgreSQL twin).

A record of rules owed names its owner by `place` (host name, kernel boot and pid
namespace: where a pid means one process), `pid` and `started` (the process's start
time, in clock ticks since boot: a pid reused by a later process has another). Only a
process in the same place can tell whether the owner lives; from elsewhere (another
host of a PostgreSQL store) the record's age is the only sign.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Owner:
    place: str
    pid: int
    started: str

    def to_json(self) -> dict[str, object]:
        return {"place": self.place, "pid": self.pid, "started": self.started}

    @classmethod
    def from_json(cls, raw: object) -> Owner | None:
        """The owner of a record read back; None when it is not one (a damaged file)."""
        if not isinstance(raw, dict):
            return None
        place, pid, started = raw.get("place"), raw.get("pid"), raw.get("started")
        if not isinstance(place, str) or not isinstance(pid, int) or not isinstance(started, str):
            return None
        return cls(place, pid, started)


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def _started(pid: int | str) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat); None when there is no such
    process, or it is a zombie (killed, not yet reaped: dead all the same)."""
    raw = _read(f"/proc/{pid}/stat")
    if not raw:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # the name may hold spaces and parentheses
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


@functools.cache
def _place() -> str:
    try:
        pidns = os.readlink("/proc/self/ns/pid")
    except OSError:
        pidns = ""
    return f"{socket.gethostname()}|{_read('/proc/sys/kernel/random/boot_id')}|{pidns}"


def me() -> Owner:
    """This process (its pid looked up each time: a forked child is another owner)."""
    pid = os.getpid()
    return Owner(_place(), pid, _started(pid) or "")


def dead(owner: Owner) -> bool:
    """True only when `owner` is surely gone: same place, and its pid is free or now
    another process's. False when alive or when this process cannot tell."""
    if owner.place != _place():
        return False
    if not os.path.isdir("/proc/self"):  # no /proc: only "no such pid" is sure
        try:
            os.kill(owner.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    started = _started(owner.pid)
    return started is None or (bool(owner.started) and started != owner.started)
