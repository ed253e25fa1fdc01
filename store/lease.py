"""The poller lease: who polls the sources for this store (one process at a time).

`veille watch` holds it when it runs; otherwise one open inbox does, so the inbox fetches
on its own when nobody else does. The lease is a small JSON file beside the store's
data: holder (user, host, pid, kind "inbox" | "watch") and an expiry in wall-clock time
(shared folders are seen by several hosts). The holder renews it well before it expires;
anyone takes it over when it expired, or at once when the holder is a dead process on
this host. A watch takes it from an inbox (the headless poller is the one meant to
poll); an inbox never takes it from a live watch. Changes happen under an flock on a
side file, and the file is replaced atomically, so readers see a whole record.

For a PostgreSQL store (its local folder holds `store.postgres.url.MARKER`),
`Lease(folder, ...)` is a `store.postgres.lease.PgLease`: the same rules on one row of
the database, changed under its row lock, so one node of the team polls.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

LEASE_FILE = "poller.lease"
TTL = 15.0  # seconds a lease lives without renewal
KINDS = ("inbox", "watch")


@dataclass(frozen=True, slots=True)
class Holder:
    user: str
    host: str
    pid: int
    kind: str  # inbox | watch
    expires: float  # time.time() when the lease lapses without renewal

    def describe(self) -> str:
        """ "camille's watch on host (pid 42)", for the status bar and logs."""
        return f"{self.user}'s {self.kind} on {self.host} (pid {self.pid})"

    def same_process(self, other: Holder) -> bool:
        return (self.host, self.pid) == (other.host, other.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's live process
        return True
    return True


class Lease:
    """One process's handle on the store's poller lease."""

    def __new__(cls, folder: Path, *args: object, **kwargs: object) -> Lease:
        if cls is Lease:
            from store.postgres.url import database_of

            if database_of(folder):
                from store.postgres.lease import PgLease

                return super().__new__(PgLease)
        return super().__new__(cls)

    def __init__(
        self, folder: Path, user: str, kind: str, *, ttl: float = TTL, pid: int | None = None
    ):
        if kind not in KINDS:
            raise ValueError(f"a lease kind is one of {', '.join(KINDS)}, not {kind!r}")
        self.path = Path(folder) / LEASE_FILE
        self.user = user
        self.kind = kind
        self.ttl = ttl
        self.host = socket.gethostname()
        self.pid = os.getpid() if pid is None else pid

    # ------------------------------------------------------------------ reading
    def current(self) -> Holder | None:
        """The live holder, or None when the lease is free (absent, expired, dead holder)."""
        holder = self._read()
        if holder is None or self._lapsed(holder):
            return None
        return holder

    def held(self) -> bool:
        holder = self.current()
        return holder is not None and (holder.host, holder.pid) == (self.host, self.pid)

    def _read(self) -> Holder | None:
        try:
            raw = orjson.loads(self.path.read_bytes())
            holder = Holder(
                str(raw["user"]),
                str(raw["host"]),
                int(raw["pid"]),
                str(raw["kind"]),
                float(raw["expires"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or damaged: free (a damaged lease must not stop polling)
        return holder

    def _lapsed(self, holder: Holder) -> bool:
        if holder.expires < time.time():
            return True
        return holder.host == self.host and not _alive(holder.pid)

    # ------------------------------------------------------------------ taking
    def acquire(self) -> bool:
        """Take or renew the lease if we may; True while we hold it."""
        with self._locked():
            holder = self._read()
            ours = holder is not None and (holder.host, holder.pid) == (self.host, self.pid)
            free = holder is None or self._lapsed(holder)
            takeover = holder is not None and self.kind == "watch" and holder.kind == "inbox"
            if not (ours or free or takeover):
                return False
            self._write(Holder(self.user, self.host, self.pid, self.kind, time.time() + self.ttl))
            return True

    def release(self) -> None:
        """Give the lease up (on exit) so another process takes it at once."""
        with self._locked():
            holder = self._read()
            if holder is not None and (holder.host, holder.pid) == (self.host, self.pid):
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()

    def _write(self, holder: Holder) -> None:
        tmp = self.path.with_name(f".{LEASE_FILE}.{self.pid}.tmp")
        tmp.write_bytes(orjson.dumps(asdict(holder)))
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(LEASE_FILE + ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
