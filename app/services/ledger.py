"""A durable set of keys: what was already sent (alerts, hand-off channels).

One line per key, appended and fsynced before the caller moves on, so a restart neither
forgets an alert it sent nor sends it again. A torn last line (crash mid-write) is
ignored. Shared by processes: appends under an exclusive flock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self._keys: set[str] = set()
        self._size = 0
        self.reload()

    def reload(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._size)
                data = fh.read()
        except FileNotFoundError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self._size += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            if line:
                self._keys.add(line)

    def __contains__(self, key: str) -> bool:
        if key in self._keys:
            return True
        self.reload()
        return key in self._keys

    def add(self, key: str) -> None:
        if "\n" in key:
            raise ValueError("a ledger key is one line")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, key.encode("utf-8") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        self._keys.add(key)
