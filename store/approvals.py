"""Reply approval in the folder store: a waiting reply is state like any other reply.

A reply that waits for a reviewer is stored in its group's state with the status
AWAITING (journaled, under the store lock, atomically, like every action); the outbox
only ever takes PENDING replies (`pending_outbox`), so nothing waiting is sent. Approving
turns it PENDING (queued), sending back RETURNED with the reviewer's note. What may be
approved by whom is decided in `triage.approval` and `triage.transitions`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage import transitions as rules
from triage.errors import NotFound
from triage.model import DeliveryStatus, Reply, TriageState, utcnow

if TYPE_CHECKING:
    from store.index import Index


class ApprovalActions:
    """Mixed into `store.inbox.Inbox` (through store.merges.StoryActions)."""

    if TYPE_CHECKING:
        user: str
        index: Index

        def resolve(self, target: str) -> str: ...
        def state(self, target: str) -> TriageState: ...
        def refresh(self, force: bool = False) -> bool: ...
        def _act(
            self,
            target: str,
            action: str,
            change: Callable[[TriageState, datetime], dict[str, Any]],
        ) -> TriageState: ...

    def submit_reply(self, target: str, text: str, mention_id: str | None = None) -> Reply:
        """Store a reply that waits for a reviewer (AWAITING): never sent as it is."""
        gid = self.resolve(target)
        reply = rules.new_reply(
            text, self.user, utcnow(), uuid.uuid4().hex, mention_id or gid, False, awaiting=True
        )
        self._act(gid, "reply-awaiting", lambda s, now: rules.reply(s, reply))
        return reply

    def awaiting_reply(self, target: str, key: str | None = None) -> Reply:
        """The reply `key` of the group, else its oldest reply awaiting approval."""
        state = self.state(self.resolve(target))
        for r in state.replies:
            if (key is None or r.key == key) and r.status is DeliveryStatus.AWAITING:
                return r
        raise NotFound(f"no reply awaiting approval on {target!r}")

    def approve(self, target: str, key: str | None = None, text: str | None = None) -> Reply:
        """Approve a waiting reply (edited when `text` is given): queued for sending."""
        key = key or self.awaiting_reply(target).key
        state = self._act(target, "approve", lambda s, now: rules.approve(s, key, self.user, text))
        return next(r for r in state.replies if r.key == key)

    def send_back(self, target: str, note: str, key: str | None = None) -> Reply:
        """Return a waiting reply to its author with a note; it is never sent."""
        key = key or self.awaiting_reply(target).key
        state = self._act(
            target, "send-back", lambda s, now: rules.send_back(s, key, self.user, note)
        )
        return next(r for r in state.replies if r.key == key)

    def awaiting(self) -> list[tuple[str, Reply]]:
        """Every reply awaiting approval, oldest first: the reviewers' queue."""
        self.refresh()
        found = [
            (target, r)
            for target, s in list(self.index.states.items())
            for r in s.replies
            if r.status is DeliveryStatus.AWAITING
        ]
        return sorted(found, key=lambda item: item[1].at)

    def reviewed(self, author: str) -> list[tuple[str, Reply]]:
        """`author`'s replies a reviewer approved or sent back (what their inbox tells)."""
        return [
            (target, r)
            for target, s in list(self.index.states.items())
            for r in s.replies
            if r.by == author and r.reviewed_by
        ]
