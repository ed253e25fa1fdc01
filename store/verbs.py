"""The triage verbs every backend offers, as one mixin: each checks its arguments, then
hands `triage.transitions`' change to the backend's own `_act` (which locks, applies,
journals and commits). The folder store (`store.acting.Acting`) and PostgreSQL
(`store.postgres.store.PgStore`) differ only in `_act`, so the verbs are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from triage import transitions as rules
from triage.model import Status, TriageState


class ActionVerbs:
    """tag, set_status, assign, claim, release, handoff, note, snooze."""

    user: str
    _act: Callable[..., TriageState]

    def tag(self, target: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> TriageState:
        rules.tag(TriageState(target), add, remove)  # a bad tag is refused before the lock
        return self._act(target, "tag", lambda s, now: rules.tag(s, add, remove))

    def set_status(self, target: str, status: Status | str) -> TriageState:
        new = Status.parse(status) if isinstance(status, str) else status
        return self._act(target, "status", lambda s, now: rules.set_status(s, new))

    def assign(self, target: str, user: str | None) -> TriageState:
        return self._act(target, "assign", lambda s, now: rules.assign(s, user))

    def claim(self, target: str, minutes: float = 15, force: bool = False) -> TriageState:
        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.claim(s, self.user, now, minutes, force)

        return self._act(target, "claim", change)

    def release(self, target: str) -> TriageState:
        return self._act(target, "release", lambda s, now: rules.release(s))

    def handoff(self, target: str, team: str, note: str = "") -> TriageState:
        if not team.strip():
            raise ValueError("a hand-off needs a team")

        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.handoff(s, team, note, self.user, now)

        return self._act(target, "handoff", change)

    def note(self, target: str, text: str) -> TriageState:
        if not text.strip():
            raise ValueError("a note needs some text")
        return self._act(target, "note", lambda s, now: rules.note(s, text, self.user, now))

    def snooze(self, target: str, until: datetime | None) -> TriageState:
        return self._act(target, "snooze", lambda s, now: rules.snooze(s, until))
