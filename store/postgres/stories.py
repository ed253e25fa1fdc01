"""Merge and split on PostgreSQL: not done yet, refused in words (nothing changed).

The folder store places each copy in its story by hand-made corrections
(`store.merges`, `triage.stories`); here the ranking and the groups are rows of the
`groups` table built at ingestion, which a merge would have to rebuild in its
transaction (and `undo` with it). Until then the actions exist so the faces offer the
rest of the team actions (approval, `veille awaiting`) and say why these two are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from triage.errors import Refused

if TYPE_CHECKING:
    from triage.model import TriageState

NOT_YET = "merge and split are not on a PostgreSQL store yet (a folder store does them)"


class PgStories:
    """Mixed into `PgStore`: `merge` and `split`, refused before anything is written."""

    def merge(self, into: str, others: Sequence[str]) -> list[TriageState]:
        raise Refused(NOT_YET)

    def split(self, copy: str) -> TriageState:
        raise Refused(NOT_YET)
