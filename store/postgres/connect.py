"""Connections to the PostgreSQL store: the pool, the listener, errors in words.

Every error that leaves this package is a `StoreError` whose text names the server
without its password (`store.postgres.url.describe`), never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import ConnectionPool, PoolTimeout

from store.errors import StoreError, StoreLocked
from store.postgres.url import describe, redact

CHANNEL = "veille"  # LISTEN/NOTIFY channel: the payload is the new generation
CHECK_IDLE = 2.0  # seconds idle after which a pooled connection is checked before use


def connect_options(lock_timeout: float) -> dict[str, object]:
    ms = max(1, int(lock_timeout * 1000))
    return {"options": f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout=600000"}


@contextlib.contextmanager
def in_words(url: str) -> Iterator[None]:
    """Database failures as StoreError in words (the password never shown)."""
    where = describe(url)
    try:
        yield
    except pgerrors.LockNotAvailable as exc:
        raise StoreLocked(
            f"{where}: another veille process held a lock too long; try again"
        ) from exc
    except PoolTimeout as exc:
        raise StoreError(f"{where}: no database connection free in time ({exc})") from exc
    except psycopg.OperationalError as exc:
        reason = redact(" ".join(str(exc).split()))
        raise StoreError(f"cannot use the PostgreSQL store {where}: {reason}") from exc


class IdleCheck:
    """Check a pooled connection only when it sat idle a while (a server restart or a
    dropped link shows there); one just used is handed out as it is, saving a round
    trip per query."""

    def __init__(self, idle: float = CHECK_IDLE):
        self.idle = idle
        self.returned: weakref.WeakKeyDictionary[psycopg.Connection, float] = (
            weakref.WeakKeyDictionary()
        )

    def check(self, conn: psycopg.Connection) -> None:
        if time.monotonic() - self.returned.get(conn, 0.0) > self.idle:
            ConnectionPool.check_connection(conn)

    def reset(self, conn: psycopg.Connection) -> None:
        self.returned[conn] = time.monotonic()


def open_pool(url: str, lock_timeout: float, size: int = 4) -> ConnectionPool:
    idle = IdleCheck()
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs=connect_options(lock_timeout),
        timeout=max(lock_timeout, 5.0),
        open=False,
        name="veille",
        check=idle.check,
        reset=idle.reset,
    )
    pool.open(wait=True, timeout=max(lock_timeout, 5.0))
    return pool


def local_folder(url: str) -> Path:
    """This machine's folder for one PostgreSQL store's local files (drafts, locks):
    under the user data folder, named by a hash of the URL without its password."""
    from platformdirs import user_data_path

    key = hashlib.sha256(describe(url).encode()).hexdigest()[:16]
    folder = user_data_path("veille") / "postgresql" / key
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def node_id() -> str:
    """Who takes outbox rows: this host and process (a restart is a new node)."""
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
