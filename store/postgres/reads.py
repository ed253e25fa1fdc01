"""Unread per person on PostgreSQL: each user's read marks in the `read_marks` table.

The same rule as the folder store (`store.reads`): a group is read by a user once they
opened it in the thread pane, and unread again when a copy arrives or someone else
adds a note. A mark is what the user saw, `(copies, notes by others)`, so no clock is
compared. A mark is written at once (one upsert, only when it changed): every node
and every session of the user see it, and `is:unread` is answered in SQL
(`store.postgres.sqlfilter`) from the same rows. A mark the database could not take
(it is down) is kept in memory, said in `problems`, and written with the next one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from store.errors import StoreError
from store.postgres.connect import in_words
from store.reads import Mark, others_notes
from triage.views import GroupView

if TYPE_CHECKING:
    from triage.filter import FilterSubject

UPSERT_MARK = (
    "INSERT INTO read_marks (who, group_id, copies, notes) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (who, group_id) DO UPDATE SET copies = EXCLUDED.copies, "
    "notes = EXCLUDED.notes, at = now()"
)


class PgReads:
    """Mixed into `PgStore`: the user's own read state (see the module)."""

    if TYPE_CHECKING:
        user: str
        problems: list[str]

        def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...

    _marks: dict[str, Mark] | None = None
    _unsaved: dict[str, Mark] | None = None  # marks the database did not take yet
    _marks_lock = threading.Lock()

    def _read_marks(self) -> dict[str, Mark]:
        if self._marks is None:
            with self._marks_lock:
                if self._marks is None:
                    rows = self._query(
                        "SELECT group_id, copies, notes FROM read_marks WHERE who = %s",
                        (self.user,),
                    )
                    self._marks = {g: (int(c), int(n)) for g, c, n in rows}
        return self._marks

    def mark_read(self, view: GroupView) -> bool:
        """This user opened `view` in the thread pane (written now). True if it changed."""
        mark = (view.size, others_notes(view, self.user))
        try:
            marks = self._read_marks()
        except StoreError as exc:
            self.problems.append(f"read marks unreadable now: {exc}")
            return False
        if marks.get(view.group_id) == mark:
            return False
        marks[view.group_id] = mark
        self._unsaved = {**(self._unsaved or {}), view.group_id: mark}
        self.flush_reads()
        return True

    def flush_reads(self) -> None:
        """Write the marks the database did not take yet (normally none)."""
        unsaved, self._unsaved = self._unsaved, None
        if not unsaved:
            return
        try:
            with in_words(self.url), self.pool.connection() as conn:  # type: ignore[attr-defined]
                conn.cursor().executemany(
                    UPSERT_MARK, [(self.user, g, *m) for g, m in unsaved.items()]
                )
        except StoreError as exc:
            self._unsaved = {**unsaved, **(self._unsaved or {})}
            self.problems.append(f"read marks not saved yet: {exc}")

    def is_unread(self, subject: FilterSubject | GroupView) -> bool:
        """Unread for this user: never opened, or a copy or someone else's note since."""
        if not isinstance(subject, GroupView):
            return False
        try:
            mark = self._read_marks().get(subject.group_id)
        except StoreError:  # the database is down: said by the caller's next action
            return False
        if mark is None:
            return True
        return subject.size > mark[0] or others_notes(subject, self.user) > mark[1]

    def forget_read_marks(self) -> None:
        """Read the marks again on next use (another session of this user wrote some)."""
        self._marks = None
