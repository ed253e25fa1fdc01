"""The poller lease on one row of the PostgreSQL store (`store.lease.Lease`'s rules).

Every change is one transaction holding the row's lock (SELECT ... FOR UPDATE), so
two nodes asking at once are served one after the other and only one polls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from store.lease import TTL, Holder, Lease
from store.postgres.shared import Shared
from store.postgres.url import database_of


class PgLease(Lease):
    def __init__(
        self, folder: Path, user: str, kind: str, *, ttl: float = TTL, pid: int | None = None
    ):
        super().__init__(folder, user, kind, ttl=ttl, pid=pid)
        self.db = Shared(database_of(folder))
        self._tx: psycopg.Connection[Any] | None = None

    def _read(self) -> Holder | None:
        with self._connection() as conn:
            sql = "SELECT holder FROM poller_lease WHERE id = 1"
            if self._tx is not None:
                sql += " FOR UPDATE"
            row = conn.execute(sql).fetchone()
        if row is None:
            return None
        raw = row[0]
        try:
            return Holder(
                str(raw["user"]), str(raw["host"]), int(raw["pid"]), str(raw["kind"]),
                float(raw["expires"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None

    def _write(self, holder: Holder) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO poller_lease (id, holder) VALUES (1, %s) "
                "ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder",
                (Jsonb(asdict(holder)),),
            )

    def release(self) -> None:
        with self._locked():
            holder = self._read()
            if holder is not None and (holder.host, holder.pid) == (self.host, self.pid):
                with self._connection() as conn:
                    conn.execute("DELETE FROM poller_lease WHERE id = 1")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if self._tx is not None:
            yield self._tx
        else:
            with self.db.connection() as conn:
                yield conn

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self.db.connection() as conn, conn.transaction():
            self._tx = conn
            try:
                yield
            finally:
                self._tx = None
