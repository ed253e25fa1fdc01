"""What lived in the store folder, kept in the database when the store is PostgreSQL:
the poller lease's row, the alert and hand-off ledgers, and small files (the sources'
cursors and health) - so every node of a team reads and writes the same ones.

One autocommit connection per object, opened on first use: these are called a few
times a second at most, and must not wait for the store's pool.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg

from store.postgres.connect import connect_options, in_words, node_id
from store.postgres.schema import migrate
from store.postgres.url import describe


class Shared:
    """A lazily opened connection to the store's database, one user at a time."""

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock, in_words(self.url):
            if self._conn is None or self._conn.closed:
                conn = psycopg.connect(self.url, autocommit=True, **connect_options(10.0))  # type: ignore[arg-type]
                try:
                    migrate(conn, describe(self.url))  # `veille fetch` may come first
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
            try:
                yield self._conn
            except psycopg.OperationalError:
                self._conn.close()  # a broken connection is reopened next time
                raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


class Blobs(Shared):
    """Small named files in the `node_files` table."""

    def get(self, path: str) -> bytes | None:
        with self.connection() as conn:
            row = conn.execute("SELECT body FROM node_files WHERE path = %s", (path,)).fetchone()
        return None if row is None else bytes(row[0])

    def get_many(self, paths: list[str]) -> dict[str, bytes]:
        """The bodies of those of `paths` that exist, in one query."""
        if not paths:
            return {}
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT path, body FROM node_files WHERE path = ANY(%s)", (paths,)
            ).fetchall()
        return {str(r[0]): bytes(r[1]) for r in rows}

    def put(self, path: str, body: bytes) -> None:
        with self.connection() as conn:
            conn.execute(
                "INSERT INTO node_files (path, body) VALUES (%s, %s) ON CONFLICT (path) "
                "DO UPDATE SET body = EXCLUDED.body, updated_at = now()",
                (path, body),
            )


class LedgerRows(Shared):
    """The alert ledger's records for one scope, shared by watch nodes.

    `begin` is a compare-and-set: a node takes a key only when nobody sent it and no
    other live node is posting it, so an alert goes out once whichever node sees it
    first. A "sending" older than STALE seconds is a node that died mid-post."""

    STALE = 60

    def __init__(self, url: str, scope: str):
        super().__init__(url)
        self.scope = scope
        self.node = node_id()

    def state(self, key: str) -> tuple[str, int] | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT state, attempts FROM ledger WHERE scope = %s AND key = %s",
                (self.scope, key),
            ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def begin(self, key: str) -> bool:
        with self.connection() as conn:
            row = conn.execute(
                "INSERT INTO ledger (scope, key, state, attempts, node, at) "
                "VALUES (%(s)s, %(k)s, 'sending', 1, %(n)s, now()) "
                "ON CONFLICT (scope, key) DO UPDATE SET state = 'sending', "
                "attempts = ledger.attempts + 1, node = %(n)s, at = now() "
                "WHERE ledger.state = 'failed' OR (ledger.state = 'sending' AND "
                "(ledger.node = %(n)s OR ledger.at < now() - %(stale)s * interval '1 second')) "
                "RETURNING attempts",
                {"s": self.scope, "k": key, "n": self.node, "stale": self.STALE},
            ).fetchone()
        return row is not None

    def finish(self, key: str, state: str) -> None:
        """state "sent" (never again) or "failed" (may be tried again)."""
        with self.connection() as conn:
            if state == "failed":
                conn.execute(
                    "UPDATE ledger SET state = 'failed', attempts = greatest(attempts - 1, 0) "
                    "WHERE scope = %s AND key = %s AND state = 'sending'",
                    (self.scope, key),
                )
                return
            conn.execute(
                "INSERT INTO ledger (scope, key, state) VALUES (%s, %s, 'sent') "
                "ON CONFLICT (scope, key) DO UPDATE SET state = 'sent'",
                (self.scope, key),
            )
