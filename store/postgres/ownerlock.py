"""Whether the store handle that owes rules is still there, asked from any host.

`store.owner.dead` can tell a dead process only on its own host; a `veille watch` node
of a PostgreSQL store killed on another host left its `rules_owed` rows to wait
`OWED_AGE` (10 minutes) before another node ran their rules: a "page me" rule paged
10 minutes late. So a handle that writes rows first holds a session advisory lock on
a random key of its own (`OWNER_LOCKS`, hashtext(key)) on a connection of its own, and
writes the key with its rows. The database drops a session's locks when its connection
goes (a kill, a crash, the store closed): another node whose `pg_try_advisory_lock` on
that key succeeds knows the owner is gone, wherever it ran. Rows written when the lock
could not be taken carry no key and wait for their age, as before.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg

OWNER_LOCKS = 0x76656F  # the first key of every owner's advisory lock ("veo")


class OwnerLock:
    """This store handle's lock, taken on first use and held until `close`."""

    def __init__(self, url: str):
        self.url = url
        self.key = uuid.uuid4().hex
        self._conn: psycopg.Connection[Any] | None = None
        self._mutex = threading.Lock()

    def held(self) -> str | None:
        """The key when this handle holds its lock now, else None. Checked with a round
        trip each time: a connection dropped since took the lock with it (then it is
        taken again, on a new connection)."""
        with self._mutex:
            try:
                if self._conn is not None and not self._conn.closed:
                    self._conn.execute("SELECT 1")
                    return self.key
                self._conn = psycopg.connect(self.url, autocommit=True)
                row = self._conn.execute(
                    "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (OWNER_LOCKS, self.key)
                ).fetchone()
                if row and row[0]:
                    return self.key
            except psycopg.Error:
                pass
            self._drop()
            return None

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._mutex:
            self._drop()


def gone(conn: psycopg.Connection[Any], keys: Sequence[str]) -> set[str]:
    """The keys among `keys` whose holder is gone: their lock was free (taken here for a
    moment, and let go at once on the same connection)."""
    if not keys:
        return set()
    free = {
        str(r[0])
        for r in conn.execute(
            "SELECT k FROM unnest(%s::text[]) k WHERE pg_try_advisory_lock(%s, hashtext(k))",
            (list(keys), OWNER_LOCKS),
        ).fetchall()
    }
    if free:
        conn.execute(
            "SELECT pg_advisory_unlock(%s, hashtext(k)) FROM unnest(%s::text[]) k",
            (OWNER_LOCKS, list(free)),
        )
    return free
