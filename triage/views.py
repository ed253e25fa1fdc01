"""GroupView: one row of the inbox — a story, its copies and what people decided.

The read model every face shows: a store backend builds it from its indexes and caches
it until the group or its state changes. It satisfies triage.filter.FilterSubject, so filtering needs no extra copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from triage.model import DeliveryStatus, Mention, Status, TriageState
from triage.sla import first_response
from triage.text import fold


@dataclass(slots=True)
class GroupView:
    group_id: str
    mentions: list[Mention]  # oldest first; [0] is the leader
    state: TriageState
    priority: float = 0.0
    signals: tuple[str, ...] = ()
    _haystack: str | None = field(default=None, repr=False)
    _authors: str | None = field(default=None, repr=False)

    @property
    def leader(self) -> Mention:
        return self.mentions[0]

    @property
    def size(self) -> int:
        return len(self.mentions)

    @property
    def last_at(self) -> datetime:
        return self.mentions[-1].created_at

    @property
    def brands(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for m in self.mentions:
            seen.update(dict.fromkeys(m.brands))
        return tuple(seen)

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.platform for m in self.mentions))

    # -- state, flattened for filters and rows
    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def tags(self) -> tuple[str, ...]:
        return self.state.tags

    @property
    def assignee(self) -> str | None:
        return self.state.assignee

    @property
    def claimed_by(self) -> str | None:
        return self.state.claimed_by

    @property
    def claim_expires(self) -> datetime | None:
        return self.state.claim_expires

    @property
    def first_response_at(self) -> datetime | None:
        """triage.sla.first_response: a pending or failed hand-off is no answer."""
        return first_response(self.state)

    @property
    def handoff_failed(self) -> bool:
        h = self.state.handoff
        return h is not None and h.delivery is DeliveryStatus.FAILED

    @property
    def snoozed_until(self) -> datetime | None:
        return self.state.snoozed_until

    @property
    def handed_off(self) -> bool:
        return self.state.handoff is not None

    @property
    def awaiting(self) -> bool:
        """A reply waits for a reviewer's approval (triage.approval)."""
        return any(r.status is DeliveryStatus.AWAITING for r in self.state.replies)

    @property
    def authors(self) -> str:
        if self._authors is None:
            self._authors = " ".join(
                fold(f"{m.author.name} {m.author.handle.lstrip('@')}") for m in self.mentions
            )
        return self._authors

    @property
    def haystack(self) -> str:
        if self._haystack is None:
            parts = [f"{m.title} {m.text}" for m in self.mentions]
            self._haystack = fold(" ".join(" ".join(parts).split())) + " " + self.authors
        return self._haystack
