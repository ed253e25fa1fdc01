"""Connections to the PostgreSQL store: the pool, the listener, errors in words.

Every error that leaves this package is a `StoreError` whose text names the server
without its password (`store.postgres.url.describe`), never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import ConnectionPool, PoolTimeout

from store.errors import StoreError, StoreLocked
from store.postgres.url import describe, redact

CHANNEL = "veille"  # LISTEN/NOTIFY channel: the payload is the new generation


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


def open_pool(url: str, lock_timeout: float, size: int = 4) -> ConnectionPool:
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs=connect_options(lock_timeout),
        timeout=max(lock_timeout, 5.0),
        open=False,
        name="veille",
        check=ConnectionPool.check_connection,
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
