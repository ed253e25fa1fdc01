"""Reply approval on PostgreSQL: the folder store's actions, read from the shared states.

A waiting reply is state like any other reply (`DeliveryStatus.AWAITING`), written by
`PgStore._act` in one transaction with its journal event, so it is undone and shared
like every action. Its outbox row carries the status 'awaiting': `pending_outbox` only
takes 'pending' rows, so nothing waiting is ever sent; approving turns the row pending
in the same transaction. Who may approve is decided in `triage.approval` and
`triage.transitions` (the same rules as the folder store: `store.approvals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.approvals import ApprovalActions
from triage.model import DeliveryStatus, Reply

if TYPE_CHECKING:
    from triage.model import TriageState


class PgApprovals(ApprovalActions):
    """Mixed into `PgStore`: the reviewers' queue read from the states it keeps."""

    if TYPE_CHECKING:
        states: dict[str, TriageState]

        def refresh(self) -> bool: ...  # type: ignore[override]

    def awaiting(self) -> list[tuple[str, Reply]]:
        """Every reply awaiting approval, oldest first: the reviewers' queue."""
        self.refresh()
        found = [
            (target, r)
            for target, s in list(self.states.items())
            for r in s.replies
            if r.status is DeliveryStatus.AWAITING
        ]
        return sorted(found, key=lambda item: item[1].at)

    def reviewed(self, author: str) -> list[tuple[str, Reply]]:
        """`author`'s replies a reviewer approved or sent back."""
        self.refresh()
        return [
            (target, r)
            for target, s in list(self.states.items())
            for r in s.replies
            if r.by == author and r.reviewed_by
        ]
