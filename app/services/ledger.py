"""A durable set of keys: what was already sent (alerts, hand-off channels).

One line per key, appended and fsynced before the caller moves on, so a restart neither
forgets an alert it sent nor sends it again. A torn last line (crash mid-write) is
ignored. Shared by processes: appends under an exclusive flock.

Any key is accepted: one that is not a plain printable line (a feed's guid may hold a
newline or an escape) is stored as its sha256, so a hostile id can never break the file.

Delivery is two-phase: `begin(key)` records "sending" (durable) before the post, `add(key)`
records "sent" after it, `abandon(key)` says the post failed (the caller retries later).
A "sending" with neither after it means the process died mid-post: the caller may post
once more (`attempts` counts such interrupted posts), never more than that.

When the store is a PostgreSQL database (its local folder holds the marker
`store.postgres.url.MARKER`), `Ledger(path)` is a `PgLedger`: the same records in the
database's `ledger` table, shared by every node, and `begin` returns False when another
node is posting that key right now (an alert goes out once, whichever node sees it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections import Counter
from pathlib import Path

MAX_PLAIN = 300
SENDING = "? "  # prefix of a "sending" record
FAILED = "! "  # prefix of a "that post failed" record


def ledger_line(key: str) -> str:
    """The key as it is written: itself when it is a plain line, else a hash of it."""
    plain = (
        key.isprintable()
        and key == key.strip()
        and 0 < len(key) <= MAX_PLAIN
        and not key.startswith((SENDING, FAILED, "#sha256:"))
    )
    return (
        key
        if plain
        else "#sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    )


class Ledger:
    def __new__(cls, path: Path) -> Ledger:
        if cls is Ledger:
            from store.postgres.url import database_of

            if database_of(Path(path).parent, depth=2):
                return super().__new__(PgLedger)
        return super().__new__(cls)

    def __init__(self, path: Path):
        self.path = path
        self._keys: set[str] = set()
        self._open: Counter[str] = Counter()  # "sending" records not followed by sent/failed
        self._size = 0
        # `veille watch` asks `in` on its deciding thread while the loop appends: one
        # reader at a time, or two would count the same new lines twice
        self._reading = threading.Lock()
        self.reload()

    def reload(self) -> None:
        with self._reading:
            self._reload()

    def _reload(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._size)
                data = fh.read()
        except FileNotFoundError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self._size += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            if line.startswith(SENDING):
                self._open[line[len(SENDING) :]] += 1
            elif line.startswith(FAILED):
                k = line[len(FAILED) :]
                if self._open[k] > 0:
                    self._open[k] -= 1
            elif line:
                self._keys.add(line)
                self._open.pop(line, None)

    def __contains__(self, key: str) -> bool:
        line = ledger_line(key)
        if line in self._keys:
            return True
        self.reload()
        return line in self._keys

    def attempts(self, key: str) -> int:
        """How many posts of `key` began and never said how they ended (crashes)."""
        self.reload()
        line = ledger_line(key)
        return 0 if line in self._keys else self._open[line]

    def _append(self, *lines: str) -> None:
        """Append lines in one write and one fsync (a burst of alerts: one, not one each)."""
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # a crash mid-line
            data = "".join(line + "\n" for line in lines).encode("utf-8")
            os.write(fd, (b"\n" if torn else b"") + data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def begin(self, key: str) -> bool:
        """Record (durably) that a post of `key` is about to start. False: another node
        is posting it (a shared ledger only); do not post."""
        self._append(SENDING + ledger_line(key))
        self.reload()
        return True

    def abandon(self, key: str) -> None:
        """Record that the post begun for `key` failed: it may be tried again."""
        self._append(FAILED + ledger_line(key))
        self.reload()

    def add(self, key: str) -> None:
        """Record that `key` was delivered (or decided): never again."""
        self._append(ledger_line(key))
        self.reload()

    def begin_all(self, keys: list[str]) -> list[bool]:
        """`begin` of each key, durably in one write: whether each may be posted."""
        self._append(*(SENDING + ledger_line(k) for k in keys))
        self.reload()
        return [True] * len(keys)

    def abandon_all(self, keys: list[str]) -> None:
        """`abandon` of each key, in one write."""
        self._append(*(FAILED + ledger_line(k) for k in keys))
        self.reload()

    def add_all(self, keys: list[str]) -> None:
        """`add` of each key, in one write."""
        self._append(*(ledger_line(k) for k in keys))
        self.reload()


class SentKeys:
    """`in` against the ledger (what was already decided and sent)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.ledger


class PgLedger(Ledger):
    """The ledger in the PostgreSQL store's `ledger` table (scope: the file's name)."""

    def __init__(self, path: Path):
        from store.postgres.shared import LedgerRows
        from store.postgres.url import database_of

        self.path = Path(path)
        scope = f"{self.path.parent.name}/{self.path.name}"
        self.rows = LedgerRows(database_of(self.path.parent, depth=2), scope)

    def reload(self) -> None:  # nothing cached: every question asks the database
        return None

    def __contains__(self, key: str) -> bool:
        found = self.rows.state(ledger_line(key))
        return found is not None and found[0] == "sent"

    def attempts(self, key: str) -> int:
        found = self.rows.state(ledger_line(key))
        return 0 if found is None or found[0] == "sent" else found[1]

    def begin(self, key: str) -> bool:
        return self.rows.begin(ledger_line(key))

    def abandon(self, key: str) -> None:
        self.rows.finish(ledger_line(key), "failed")

    def add(self, key: str) -> None:
        self.rows.finish(ledger_line(key), "sent")

    def begin_all(self, keys: list[str]) -> list[bool]:  # each one a claim of its own
        return [self.begin(k) for k in keys]

    def abandon_all(self, keys: list[str]) -> None:
        for k in keys:
            self.abandon(k)

    def add_all(self, keys: list[str]) -> None:
        for k in keys:
            self.add(k)
