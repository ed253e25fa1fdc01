"""Unread per person on PostgreSQL: each user's read marks in the `read_marks` table.

The same rule as the folder store (`store.reads`): a group is read by a user once they
opened it in the thread pane, and unread again when a copy arrives or someone else
adds a note. A mark is what the user saw, `(copies, notes by others)`, so no clock is
compared. A mark is written at once (one upsert, only when it changed): every node
and every session of the user see it, and `is:unread` is answered in SQL
(`store.postgres.sqlfilter`) from the same rows.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

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

        def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...

    _marks: dict[str, Mark] | None = None
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
        marks = self._read_marks()
        if marks.get(view.group_id) == mark:
            return False
        self._query_write(UPSERT_MARK, (self.user, view.group_id, *mark))
        marks[view.group_id] = mark
        return True

    def _query_write(self, sql: str, params: Any) -> None:
        from store.postgres.connect import in_words

        with in_words(self.url), self.pool.connection() as conn:  # type: ignore[attr-defined]
            conn.execute(sql, params)

    def is_unread(self, subject: FilterSubject | GroupView) -> bool:
        """Unread for this user: never opened, or a copy or someone else's note since."""
        if not isinstance(subject, GroupView):
            return False
        mark = self._read_marks().get(subject.group_id)
        if mark is None:
            return True
        return subject.size > mark[0] or others_notes(subject, self.user) > mark[1]

    def flush_reads(self) -> None:
        """Nothing to do: each mark is written when it is made."""

    def forget_read_marks(self) -> None:
        """Read the marks again on next use (another session of this user wrote some)."""
        self._marks = None
