"""Per-source advisory locks: one node polls a source at a time, whoever asks.

The poller lease already makes one `veille watch` (or one inbox) the poller of a store;
a `veille fetch` run by hand beside it, or a second watch taking over a lease, could still
poll a source the other is polling. Each poll therefore holds a session advisory lock
on (SOURCE_LOCKS, hashtext(name)) on its own connection, taken with
`pg_try_advisory_lock` (never waiting: a source another node holds is skipped this round)
and released once the source's cursor and health are saved. A node that dies loses its
connection, and the database releases its locks at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg.rows import scalar_row

from store.postgres.connect import in_words

SOURCE_LOCKS = 0x76656C  # the first key of every source's advisory lock ("vel")


class SourceLocks:
    """Advisory locks on sources' names, held on one connection of this process."""

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None
        self._mutex = threading.Lock()
        self.held: set[str] = set()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.url, autocommit=True, row_factory=scalar_row)
            self.held.clear()  # a new session holds nothing
        return self._conn

    def take(self, names: Iterable[str]) -> set[str]:
        """The names among `names` this process now holds (others hold the rest)."""
        wanted = [n for n in dict.fromkeys(names)]
        with self._mutex, in_words(self.url):
            conn = self._connection()
            mine = [n for n in wanted if n in self.held]
            asked = [n for n in wanted if n not in self.held]
            got = conn.execute(
                "SELECT n FROM unnest(%s::text[]) n WHERE pg_try_advisory_lock(%s, hashtext(n))",
                (asked, SOURCE_LOCKS),
            ).fetchall()
            self.held.update(got)
            return {*mine, *got}

    def release(self, names: Iterable[str]) -> None:
        with self._mutex, in_words(self.url):
            gone = [n for n in names if n in self.held]
            if gone and self._conn is not None and not self._conn.closed:
                self._conn.execute(
                    "SELECT pg_advisory_unlock(%s, hashtext(n)) FROM unnest(%s::text[]) n",
                    (SOURCE_LOCKS, gone),
                )
            self.held.difference_update(gone)

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()  # the session's locks go with it
            self._conn = None
            self.held.clear()
