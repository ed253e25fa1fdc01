"""Rules owed, in PostgreSQL: the twin of store.owed, one row per post in `rules_owed`.

The rows are inserted in the ingest's own transaction (`PgStore.ingest(owe_rules=True)`),
so a post is never stored without them; `owed_rules(settled)` deletes the settled rows
and, in the same statement, asks which owners still owe some (nothing comes back when
none does: one round trip on the normal path). Rows are due when their owner is a dead
process of this host (store.owner), or a store handle gone from any host (its
advisory lock is free: store.postgres.ownerlock), or they are older than OWED_AGE
(server time, the same for every node); the claim takes them with FOR UPDATE SKIP
LOCKED and writes this process as their owner, so two nodes never replay one post
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from store.owed import MAX_TRIES, OWED_AGE
from store.owner import Owner, dead, me
from store.postgres.connect import in_words
from store.postgres.ownerlock import OwnerLock, gone

OWE = (
    "INSERT INTO rules_owed (mention_id, place, pid, started, lock_key) "
    "SELECT unnest(%s::text[]), %s, %s, %s, %s ON CONFLICT (mention_id) DO UPDATE SET "
    "place = EXCLUDED.place, pid = EXCLUDED.pid, started = EXCLUDED.started, "
    "lock_key = EXCLUDED.lock_key, at = now(), tries = 0"
)
OWERS = (
    "WITH gone AS (DELETE FROM rules_owed WHERE mention_id = ANY(%(settled)s)) "
    "SELECT place, pid, started, coalesce(lock_key, ''), bool_or(at < now() - %(age)s) "
    "FROM rules_owed WHERE NOT (mention_id = ANY(%(settled)s)) "
    "GROUP BY place, pid, started, coalesce(lock_key, '')"
)
CLAIM = (
    "WITH picked AS (SELECT mention_id FROM rules_owed WHERE at < now() - %(age)s "
    "OR (place, pid, started, coalesce(lock_key, '')) IN (SELECT * FROM unnest("
    "%(places)s::text[], %(pids)s::int[], %(starts)s::text[], %(keys)s::text[])) "
    "ORDER BY mention_id FOR UPDATE SKIP LOCKED) "
    "UPDATE rules_owed r SET place = %(place)s, pid = %(pid)s, started = %(started)s, "
    "lock_key = %(key)s, at = now(), tries = r.tries + 1 FROM picked "
    "WHERE r.mention_id = picked.mention_id RETURNING r.mention_id, r.tries"
)


def owe_params(ids: list[str], lock_key: str | None = None) -> tuple[Any, ...]:
    """The OWE statement's parameters: `lock_key`, the key whose advisory lock the
    writing handle holds (store.postgres.ownerlock), or None when it holds none."""
    owner = me()
    return (ids, owner.place, owner.pid, owner.started, lock_key)


class PgOwed:
    """PgStore's part: `owed_rules` and `settle_rules` (the rows are written by ingest)."""

    if TYPE_CHECKING:  # PgStore provides them
        url: str
        pool: Any

        def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...

    def _owner_key(self) -> str | None:
        """The key of this handle's owner lock, taken on first use; None when it cannot
        be held (its rows then wait for their age)."""
        lock: OwnerLock | None = self.__dict__.get("_owner_lock")
        if lock is None:
            lock = self.__dict__.setdefault("_owner_lock", OwnerLock(self.url))
        return lock.held()

    def _gone(self, keys: list[str]) -> set[str]:
        with in_words(self.url), self.pool.connection() as conn:
            return gone(conn, keys)

    def _close_owner_lock(self) -> None:
        lock: OwnerLock | None = self.__dict__.pop("_owner_lock", None)
        if lock is not None:
            lock.close()

    def owed_rules(
        self, settled: Sequence[str] = (), age: timedelta = OWED_AGE
    ) -> tuple[list[str], list[str]]:
        """Delete the settled rows, then claim the due ones: (ids to replay, ids given up)."""
        owners = self._query(OWERS, {"settled": list(settled), "age": age})
        due = [(p, pid, s, k) for p, pid, s, k, old in owners if old or dead(Owner(p, pid, s))]
        asked = [k for p, pid, s, k, old in owners if k and (p, pid, s, k) not in due]
        if asked:  # the store handles that wrote them: gone, from whatever host?
            left = self._gone(asked)
            due += [(p, pid, s, k) for p, pid, s, k, _ in owners if k in left]
        if not due:
            return [], []
        owner = me()
        rows = self._query(
            CLAIM,
            {
                "age": age, "places": [d[0] for d in due], "pids": [d[1] for d in due],
                "starts": [d[2] for d in due], "keys": [d[3] for d in due],
                "place": owner.place, "pid": owner.pid, "started": owner.started,
                "key": self._owner_key(),
            },
        )  # fmt: skip
        given_up = sorted(m for m, tries in rows if tries > MAX_TRIES)
        if given_up:
            self.settle_rules(given_up)
        return sorted(m for m, tries in rows if tries <= MAX_TRIES), given_up

    def settle_rules(self, ids: Sequence[str]) -> None:
        if ids:
            self._query(
                "DELETE FROM rules_owed WHERE mention_id = ANY(%s) RETURNING 1", (list(ids),)
            )
