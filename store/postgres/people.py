"""The people list of a PostgreSQL store: the `people` table (one row per person).

The same interface as the folder store's `people.json` (`store.people.PeopleFile`):
`load()` the list, `update(change)` it durably. An update is one transaction under an
advisory lock (two nodes editing the list serialise, neither loses the other's
change): the list is read, changed by `triage.people`, and only the rows that differ
are written. `person_clause` is `person:TAG` as SQL for `store.postgres.sqlfilter`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from store.errors import StoreError
from store.postgres.connect import in_words
from triage.people import People, Person

if TYPE_CHECKING:
    from triage.filter import Term

PEOPLE_LOCK = 0x7065706C65  # advisory lock: one change of the people list at a time
# a post's author as triage.people compares handles (triage.filter._handles): the
# handle, else the name, folded (lower: accents in handles are not folded here) and
# without its @; the expression the migration indexes (mentions_handle)
HANDLE = (
    "lower(ltrim(coalesce(nullif(m.record#>>'{author,handle}', ''), "
    "m.record#>>'{author,name}'), '@'))"
)


def person_clause(term: Term) -> tuple[str, list[Any]]:
    """`person:TAG` on `groups g`: the groups with a post by one of those handles."""
    handles = sorted(term.alternatives)
    if not handles:
        return "false", []
    return f"g.group_id IN (SELECT m.group_id FROM mentions m WHERE {HANDLE} = ANY(%s))", [handles]


def _read(conn: Any) -> People:
    rows = conn.execute("SELECT record FROM people ORDER BY pos, key").fetchall()
    try:
        return People(tuple(Person.from_json(r[0]) for r in rows))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(
            f"the people list in the database is damaged ({type(exc).__name__}: {exc})"
        ) from None


class PgPeople:
    """`load()` the people of a PostgreSQL store; `update(change)` them durably."""

    def __init__(self, url: str, pool: Any) -> None:
        self.url = url
        self.pool = pool

    def load(self) -> People:
        with in_words(self.url), self.pool.connection() as conn:
            return _read(conn)

    def update(self, change: Callable[[People], People]) -> People:
        """Apply `change` to the current list and commit it before returning (ValueError
        from `change` leaves the table as it was)."""
        with in_words(self.url), self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PEOPLE_LOCK,))
            before = _read(conn)
            people = change(before)
            write(conn, before, people)
        return people

    def replace(self, people: People) -> People:
        """The whole list set to `people` (`veille store copy`)."""
        return self.update(lambda _: people)


def write(conn: Any, before: People, after: People) -> None:
    old = {p.key: (i, p.to_json()) for i, p in enumerate(before.persons)}
    new = {p.key: (i, p.to_json()) for i, p in enumerate(after.persons)}
    gone = [k for k in old if k not in new]
    if gone:
        conn.execute("DELETE FROM people WHERE key = ANY(%s)", (gone,))
    changed = [(k, i, Jsonb(rec)) for k, (i, rec) in new.items() if old.get(k) != (i, rec)]
    if changed:
        conn.cursor().executemany(
            "INSERT INTO people (key, pos, record) VALUES (%s, %s, %s) ON CONFLICT (key) "
            "DO UPDATE SET pos = EXCLUDED.pos, record = EXCLUDED.record, at = now()",
            changed,
        )
