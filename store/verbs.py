"""The triage verbs every backend offers, as one mixin: each checks its arguments, then
hands `triage.transitions`' change to the backend's own `_act` (which locks, applies,
journals and commits). The folder store (`store.acting.Acting`) and PostgreSQL
(`store.postgres.store.PgStore`) differ only in `_act`, so the verbs are written once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage import transitions as rules
from triage.errors import Conflict, NotFound
from triage.model import DeliveryStatus, Reply, Status, TriageState, utcnow

OWN = "\x1fown:"  # a target that resolves to its own state (never a mention id: \x1f)


def new_id() -> str:
    """A random id as `uuid.uuid4().hex` writes it, without importing uuid (which imports
    platform: a few ms of every scripted action)."""
    n = int.from_bytes(os.urandom(16), "big")
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # the RFC 4122 variant
    n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
    return f"{n:032x}"


class ActionVerbs:
    """tag, set_status, assign, claim, release, handoff, note, snooze, the replies'
    and hand-offs' delivery, and `batch` (one undo step)."""

    user: str
    _act: Callable[..., TriageState]
    _batches: threading.local
    resolve: Callable[[str], str]

    def _now(self) -> datetime:
        """The clock of new replies (the folder store's tests move it)."""
        return utcnow()

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

    def add_reply(
        self, target: str, text: str, mention_id: str | None = None, manual: bool = False
    ) -> Reply:
        gid = self.resolve(target)
        reply = rules.new_reply(text, self.user, self._now(), new_id(), mention_id or gid, manual)
        self._act(gid, "reply", lambda s, now: rules.reply(s, reply))
        return reply

    def update_reply(
        self, target: str, key: str, status: DeliveryStatus, posted_url: str = "", error: str = ""
    ) -> TriageState:
        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.reply_delivery(s, key, status, now, posted_url, error)

        return self._act(target, "reply-status", change)

    def update_handoff(self, target: str, delivery: DeliveryStatus, error: str = "") -> TriageState:
        return self._act(
            target, "handoff-status", lambda s, now: rules.handoff_delivery(s, delivery, error, now)
        )

    @contextmanager
    def batch(self, batch_id: str | None = None) -> Iterator[str]:
        """The actions this thread makes inside share one batch id: one undo step."""
        previous = getattr(self._batches, "id", None)
        self._batches.id = batch_id or new_id()
        try:
            yield self._batches.id
        finally:
            self._batches.id = previous


class StoryVerbs:
    """`merge` and `split` (their undo is plain `undo`), written once for both backends:
    they differ in how a story is read now (`_story_now`: PostgreSQL asks the database
    again) and how a copy is known (`_has_copy`)."""

    _act: Callable[..., TriageState]
    _batches: threading.local
    resolve: Callable[[str], str]

    if TYPE_CHECKING:

        @contextmanager
        def batch(self, batch_id: str | None = None) -> Iterator[str]: ...

    def _story_now(self, target: str) -> str:
        return self.resolve(target)

    def _has_copy(self, mention_id: str) -> bool:
        raise NotImplementedError

    def merge(self, into: str, others: Sequence[str]) -> list[TriageState]:
        """Merge the stories of `others` into the story of `into` (one undo step).
        Ids may be story or copy ids; Conflict when nothing would change."""
        target = self._story_now(into)
        stories = list(dict.fromkeys(self._story_now(o) for o in others))
        stories = [s for s in stories if s != target]
        if not stories:
            raise Conflict("nothing to merge: these are already one story")
        out: list[TriageState] = []
        with self.batch(getattr(self._batches, "id", None)):
            for story in stories:

                def change(s: TriageState, now: datetime) -> dict[str, Any]:
                    if self._story_now(s.target) != s.target:  # under the lock, re-read
                        raise Conflict(f"{s.target} was merged meanwhile")
                    return rules.merge(s, self._story_now(into))

                out.append(self._act(OWN + story, "merge", change))
        return out

    def split(self, copy: str) -> TriageState:
        """Split one copy out of its story (a story merged in leaves with its copies)."""
        if not self._has_copy(copy):
            raise NotFound(f"no mention with id {copy!r}")

        def change(s: TriageState, now: datetime) -> dict[str, Any]:
            return rules.split(s, copy, self._story_now(copy))  # under the lock, re-read

        return self._act(OWN + copy, "split", change)
