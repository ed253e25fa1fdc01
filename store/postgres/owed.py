"""Rules owed, in PostgreSQL: the twin of store.owed, one row per post in `rules_owed`.

The rows are inserted in the ingest's own transaction (`PgStore.ingest(owe_rules=True)`),
so a post is never stored without them; `owed_rules(settled)` deletes the settled rows
and, in the same statement, asks which owners still owe some (nothing comes back when
none does: one round trip on the normal path). Rows are due when their owner is a dead
process of this host (store.owner) or they are older than OWED_AGE (server time, the
same for every node); the claim takes them with FOR UPDATE SKIP LOCKED and writes this
process as their owner, so two nodes never replay one post together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from store.owed import MAX_TRIES, OWED_AGE
from store.owner import Owner, dead, me

OWE = (
    "INSERT INTO rules_owed (mention_id, place, pid, started) "
    "SELECT unnest(%s::text[]), %s, %s, %s ON CONFLICT (mention_id) DO UPDATE SET "
    "place = EXCLUDED.place, pid = EXCLUDED.pid, started = EXCLUDED.started, at = now(), "
    "tries = 0"
)
OWERS = (
    "WITH gone AS (DELETE FROM rules_owed WHERE mention_id = ANY(%(settled)s)) "
    "SELECT place, pid, started, bool_or(at < now() - %(age)s) FROM rules_owed "
    "WHERE NOT (mention_id = ANY(%(settled)s)) GROUP BY place, pid, started"
)
CLAIM = (
    "WITH picked AS (SELECT mention_id FROM rules_owed WHERE at < now() - %(age)s "
    "OR (place, pid, started) IN (SELECT * FROM unnest(%(places)s::text[], %(pids)s::int[], "
    "%(starts)s::text[])) ORDER BY mention_id FOR UPDATE SKIP LOCKED) "
    "UPDATE rules_owed r SET place = %(place)s, pid = %(pid)s, started = %(started)s, "
    "at = now(), tries = r.tries + 1 FROM picked WHERE r.mention_id = picked.mention_id "
    "RETURNING r.mention_id, r.tries"
)


def owe_params(ids: list[str]) -> tuple[Any, ...]:
    owner = me()
    return (ids, owner.place, owner.pid, owner.started)


class PgOwed:
    """PgStore's part: `owed_rules` and `settle_rules` (the rows are written by ingest)."""

    if TYPE_CHECKING:  # PgStore provides it

        def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...

    def owed_rules(
        self, settled: Sequence[str] = (), age: timedelta = OWED_AGE
    ) -> tuple[list[str], list[str]]:
        """Delete the settled rows, then claim the due ones: (ids to replay, ids given up)."""
        owners = self._query(OWERS, {"settled": list(settled), "age": age})
        due = [(p, pid, s) for p, pid, s, old in owners if old or dead(Owner(p, pid, s))]
        if not due:
            return [], []
        owner = me()
        rows = self._query(
            CLAIM,
            {
                "age": age, "places": [d[0] for d in due], "pids": [d[1] for d in due],
                "starts": [d[2] for d in due], "place": owner.place, "pid": owner.pid,
                "started": owner.started,
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
